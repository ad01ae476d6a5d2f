#!/usr/bin/env -S node --max-semi-space-size=1 --expose-gc
// A 1 MiB young generation: gatehouse allocates in small, short-lived pieces (webhooks, log chunks),
// and a small nursery keeps the long-running master's RSS down (80 → 68 MiB idle, and a 50 MB log
// peaks at ~90 MiB instead of ~130: `npm run bench`). --expose-gc: the master collects received log
// frames early (master/dispatch/frame-memory.ts).
import '../dist/cli/main.js';
