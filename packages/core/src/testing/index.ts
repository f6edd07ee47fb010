// @kemu/core/testing — helpers for kemu's own tests and benchmarks (Node only).
export {
  freeLoopbackPort,
  locateRedisServer,
  type RedisServer,
  resolveTestRedis,
  type StartRedisOptions,
  startRedisServer,
  type TestRedis,
} from './redis-server.js';
