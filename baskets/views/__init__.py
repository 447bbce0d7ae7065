"""The pages of AMAP baskets, one module per audience: everyone (contracts), members (member),
coordinators (coordination) and producers (producer, mounted in the producer space)."""
