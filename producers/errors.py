class ProducerError(Exception):
    """A producer asked for something that cannot be done; the message is for them."""


class NotYourProduct(ProducerError):
    pass


class NotYourOrderLine(ProducerError):
    pass


class QuotaNotChanged(ProducerError):
    pass
