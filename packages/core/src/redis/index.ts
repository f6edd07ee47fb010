// @kemu/core/redis — the store on Redis (ioredis). A subpath, so importing @kemu/core never loads ioredis.
export { createRedisStore, RedisStore, type RedisStoreOptions } from './redis-store.js';
