#!/usr/bin/env -S node --max-semi-space-size=1 --v8-pool-size=1 --expose-gc
// A 1 MiB young generation: gatehouse allocates in small, short-lived pieces (webhooks, log chunks),
// and a small nursery keeps the long-running master's RSS down (80 → 68 MiB idle, and a 50 MB log
// peaks at ~90 MiB instead of ~130: `npm run bench`). One V8 helper thread instead of four: a heap
// this small gains nothing from more, and each thread keeps memory of its own (idle master 2-3 MiB
// less, a 50 MB log no slower). --expose-gc: the master collects received log frames and its
// startup garbage early (master/dispatch/frame-memory.ts, master/startup-garbage.ts).
import '../dist/cli/main.js';
