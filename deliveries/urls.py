"""The deliveries app's pages, under one namespace: the network's, then the distribution day's."""

from deliveries.distribution import urls as distribution
from deliveries.network import urls as network

app_name = "deliveries"
urlpatterns = network.urlpatterns + distribution.urlpatterns
