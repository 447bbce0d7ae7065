from oscar.apps.shipping import repository

from marketplace.shipping.methods import CollectAtPickupPoint


class Repository(repository.Repository):
    methods = (CollectAtPickupPoint(),)
