"""
Django's Redis cache, with one Redis client per connection pool instead of a
new one per operation: building a client builds its table of response
handlers, which cost more than the round trip on a page that asks the cache
a handful of times (the session, the user's roles and bell, the generations,
the kept parts). A client is safe to share between threads; its pool hands
each command a connection of its own.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _Client(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client
