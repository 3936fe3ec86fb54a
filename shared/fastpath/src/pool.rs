//! The threads the fast path runs on: rayon's pool, whichever is current.
//!
//! Inside `pool.install(…)` of a pool you built, products and parallel
//! loops use that pool; elsewhere, rayon's global pool (one thread per
//! core unless `shared::runner::use_threads` said otherwise). Tests use
//! pools of 1–16 threads side by side in one process to prove the results
//! identical.

/// The number of threads the current pool has.
pub fn threads() -> usize {
    rayon::current_num_threads()
}

/// Runs `work` on a thread of the current pool. Parallel work started
/// there hands jobs to the other threads directly; started from outside,
/// every job is first queued for the pool, which now and then allocates.
/// Training loops run inside.
pub fn install<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    if rayon::current_thread_index().is_some() {
        work()
    } else {
        rayon::join(work, || ()).0
    }
}
