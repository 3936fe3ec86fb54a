//! The threads the fast path runs on: rayon's pool, whichever is current.
//!
//! Inside `pool.install(…)` of a pool you built, products and parallel
//! loops use that pool; elsewhere, rayon's global pool (one thread per
//! core unless `shared::runner::use_threads` said otherwise). Tests use
//! pools of 1–16 threads side by side in one process to prove the results
//! identical.

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The number of threads the current pool has.
pub fn threads() -> usize {
    rayon::current_num_threads()
}

/// Runs `work` on a thread of the current pool, with the pool's other
/// threads kept awake until it returns. Parallel work started there hands
/// jobs to the other threads directly; started from outside, every job is
/// first queued for the pool, which now and then allocates. Training
/// loops run inside.
///
/// Kept awake: a rayon thread with nothing to do goes to sleep after a
/// few dozen tries, and waking it again costs the operating system a few
/// microseconds — more than some of a training step's parallel pieces
/// take. While `work` runs, other threads of the pool (up to as many as
/// the machine has cores, less one, in the whole process) wait for work by
/// asking for it again and again ([`rayon::yield_now`]) instead of
/// sleeping.
pub fn install<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    match rayon::current_thread_index() {
        None => rayon::join(|| awake(work), || ()).0,
        Some(_) => awake(work),
    }
}

/// Whether [`install`] lets the other threads sleep (see
/// [`let_threads_sleep`]).
static SLEEP: AtomicBool = AtomicBool::new(false);

/// Makes later calls of [`install`] let the pool's other threads sleep
/// as rayon's own do (`true`), or keep them awake (`false`, the
/// default), until called again: for measurement, to see what keeping
/// them awake saves (the results are the same either way). Returns the
/// setting it replaced.
pub fn let_threads_sleep(sleep: bool) -> bool {
    SLEEP.swap(sleep, Ordering::Relaxed)
}

/// Threads waiting in [`awake`] for work right now, in every pool.
static WAITING: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Whether this thread is inside [`awake`], running work or waiting.
    static AWAKE: Cell<bool> = const { Cell::new(false) };
    /// Whether this thread is waiting for work in [`awake`] (and counted
    /// in [`WAITING`]).
    static IN_WAIT: Cell<bool> = const { Cell::new(false) };
}

/// `work` on this pool thread, the others kept from sleeping meanwhile.
///
/// A thread waits for work by running jobs for as long as `work` runs; a
/// wait that began on top of one of `work`'s own jobs (the thread taking
/// it up while that job waited for another) would hold that job up until
/// `work` ended, which would then never happen. So the threads are let in
/// only before `work` starts: `work` waits (a millisecond at most) for
/// them to arrive, then closes the door; a thread arriving later goes
/// back to rayon's usual ways. Inside `awake` already (running its work,
/// or a job taken up while waiting), or with [`let_threads_sleep`] set,
/// `work` just runs.
fn awake<R>(work: impl FnOnce() -> R) -> R {
    if SLEEP.load(Ordering::Relaxed) || AWAKE.get() {
        return work();
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let here = rayon::current_thread_index().unwrap_or(0);
    // Waiting threads beyond the cores would take the cores from the
    // threads with work: the rest sleep as usual.
    let keep = threads().min(cores) - 1;
    if keep == 0 {
        return work();
    }
    let door = Arc::new(Door::default());
    let inside = Arc::clone(&door);
    rayon::spawn_broadcast(move |context| {
        // The first `keep` threads other than this one.
        let i = context.index();
        if i == here || i - usize::from(i > here) >= keep || !inside.enter() {
            return;
        }
        // No more than cores − 1 threads wait at once in the whole
        // process, however many installs run at once (tests in parallel,
        // several pools).
        wait_for_work(&inside, &WAITING, cores - 1);
    });
    let start = Instant::now();
    while door.entered() < keep && start.elapsed() < MAX_WAIT {
        std::thread::yield_now();
    }
    door.close();
    /// Ends the wait however `work` ends, so no thread waits forever.
    struct Release(Arc<Door>);
    impl Drop for Release {
        fn drop(&mut self) {
            self.0.done.store(true, Ordering::Release);
            AWAKE.set(false);
        }
    }
    AWAKE.set(true); // (it was false: see the top)
    let _release = Release(door);
    work()
}

/// Waits for work on this thread — runs the pool's jobs, or yields the
/// core — until `door`'s work is done; unless `most` threads wait already
/// (counted in `waiting`), where it returns at once. Returns whether it
/// waited.
///
/// A thread still in an earlier install's wait is counted already: it
/// takes up this wait's job from inside that one (as one install ends and
/// the next begins, the two overlap by a few microseconds), so it waits
/// for this work too, on top of that wait, rather than refusing for want
/// of room and then leaving both, which would leave the next install (an
/// epoch, say) with nobody waiting.
fn wait_for_work(door: &Door, waiting: &AtomicUsize, most: usize) -> bool {
    let counted = IN_WAIT.get();
    if !counted && waiting.fetch_add(1, Ordering::AcqRel) >= most {
        waiting.fetch_sub(1, Ordering::AcqRel);
        return false;
    }
    let (awake, in_wait) = (AWAKE.replace(true), IN_WAIT.replace(true));
    while !door.done.load(Ordering::Acquire) {
        if rayon::yield_now() != Some(rayon::Yield::Executed) {
            std::thread::yield_now();
        }
    }
    AWAKE.set(awake);
    IN_WAIT.set(in_wait);
    if !counted {
        waiting.fetch_sub(1, Ordering::AcqRel);
    }
    true
}

/// How long [`awake`] waits for the other threads to arrive.
const MAX_WAIT: Duration = Duration::from_millis(1);

/// Who may wait for work during one [`awake`], and when it is over.
#[derive(Default)]
struct Door {
    /// Threads let in, and [`CLOSED`] once no more may enter.
    state: AtomicUsize,
    /// Set when the work is over: the threads inside leave.
    done: AtomicBool,
}

/// [`Door::state`]'s bit for a closed door.
const CLOSED: usize = 1 << (usize::BITS - 1);

impl Door {
    /// Lets the calling thread in, unless the door is closed.
    fn enter(&self) -> bool {
        let add = |n: usize| (n & CLOSED == 0).then_some(n + 1);
        let (relaxed, acquire) = (Ordering::Relaxed, Ordering::Acquire);
        self.state.fetch_update(acquire, relaxed, add).is_ok()
    }

    fn entered(&self) -> usize {
        self.state.load(Ordering::Acquire) & !CLOSED
    }

    fn close(&self) {
        self.state.fetch_or(CLOSED, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether no thread waits in [`awake`] any more, within a few
    /// seconds.
    fn all_released() -> bool {
        let start = Instant::now();
        while WAITING.load(Ordering::Relaxed) > 0 {
            if start.elapsed() > Duration::from_secs(5) {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        true
    }

    fn pool(threads: usize) -> rayon::ThreadPool {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads);
        pool.build().expect("a pool")
    }

    /// A sum over a tree of joins: parallel work the kept-awake threads
    /// take.
    fn tree(range: std::ops::Range<u64>) -> u64 {
        if range.end - range.start < 64 {
            return range.sum();
        }
        let mid = (range.start + range.end) / 2;
        let (a, b) =
            rayon::join(|| tree(range.start..mid), || tree(mid..range.end));
        a + b
    }

    #[test]
    fn waiting_threads_take_work_and_are_released() {
        for threads in [1, 2, 3, 8, 16] {
            let pool = pool(threads);
            // From outside every pool (on rayon's global pool), and from
            // inside a pool, nested.
            let outside = install(|| tree(0..100_000));
            let inside =
                pool.install(|| install(|| install(|| tree(0..100_000))));
            assert_eq!((outside, inside), (4_999_950_000, 4_999_950_000));
            assert!(all_released(), "{threads} threads: still waiting");
        }
    }

    /// A door whose work ends `after` from now (on another thread).
    fn ending_after(after: Duration) -> Arc<Door> {
        let door = Arc::new(Door::default());
        assert!(door.enter());
        let closing = Arc::clone(&door);
        std::thread::spawn(move || {
            std::thread::sleep(after);
            closing.done.store(true, Ordering::Release);
        });
        door
    }

    #[test]
    fn a_thread_still_waiting_for_an_earlier_install_waits_for_the_next() {
        // As if inside an earlier install's wait, which took the only
        // room (most = 1).
        IN_WAIT.set(true);
        let waiting = AtomicUsize::new(1);
        let door = ending_after(Duration::from_millis(30));
        let start = Instant::now();
        let waited = wait_for_work(&door, &waiting, 1);
        let (took, still) = (start.elapsed(), IN_WAIT.get());
        IN_WAIT.set(false);
        assert!(waited, "refused: the next install would have nobody");
        assert!(took >= Duration::from_millis(25), "left after {took:?}");
        assert_eq!(waiting.load(Ordering::Acquire), 1, "counted twice");
        assert!(still, "the earlier wait is still going on");
    }

    #[test]
    fn a_thread_beyond_the_room_for_waiting_does_not_wait() {
        let waiting = AtomicUsize::new(1);
        let door = ending_after(Duration::from_secs(5));
        let start = Instant::now();
        assert!(!wait_for_work(&door, &waiting, 1));
        assert!(start.elapsed() < Duration::from_secs(1));
        assert_eq!(waiting.load(Ordering::Acquire), 1);
    }

    #[test]
    fn installs_from_many_threads_at_once_all_finish() {
        let pool = pool(3);
        std::thread::scope(|scope| {
            for t in 0..4u64 {
                let pool = &pool;
                scope.spawn(move || {
                    for i in 0..50 {
                        let n = 1000 * (t + i);
                        let sum = match i % 2 {
                            0 => install(|| tree(0..n)),
                            _ => pool.install(|| install(|| tree(0..n))),
                        };
                        assert_eq!(sum, n * n.saturating_sub(1) / 2);
                    }
                });
            }
        });
        assert!(all_released(), "threads still waiting");
    }

    #[test]
    fn work_that_panics_releases_the_waiting_threads() {
        let pool = pool(4);
        let result =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                pool.install(|| install(|| panic!("work failed")))
            }));
        assert!(result.is_err());
        assert!(all_released(), "a panic left threads waiting");
        assert_eq!(pool.install(|| install(|| tree(0..1000))), 499_500);
    }
}
