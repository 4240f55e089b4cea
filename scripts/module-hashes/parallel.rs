// SPDX-License-Identifier: GPL-2.0

//! Running a fallible function over many items on several threads.
//!
//! The calling thread always works.  Each further thread needs a token
//! from a `Pool`, a fixed number of threads or the make jobserver, and gives
//! it back when it ends.  Tokens are asked for without waiting, before the
//! first item and between items, and only while another thread would have
//! an item to work on.
//!
//! tools/module-hashes builds this file too (`#[path]`).

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;

/// Where the tokens for threads beyond the calling one come from.
pub(crate) trait Pool: Sync {
    /// A token, if one is free now; never waits.
    fn try_take(&self) -> Option<u8>;
    /// Gives back a token that `try_take` returned.
    fn give_back(&self, token: u8);
}

/// A fixed number of threads.
pub(crate) struct Threads {
    /// How many more threads may start.
    free: AtomicUsize,
}

impl Threads {
    /// Up to `count` threads, the calling one included.
    pub(crate) fn new(count: NonZeroUsize) -> Self {
        Threads {
            free: AtomicUsize::new(count.get() - 1),
        }
    }
}

impl Pool for Threads {
    fn try_take(&self) -> Option<u8> {
        self.free
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |free| {
                free.checked_sub(1)
            })
            .ok()
            .map(|_| 0)
    }

    fn give_back(&self, _token: u8) {
        self.free.fetch_add(1, Ordering::Relaxed);
    }
}

/// A token held by a running thread, given back when the thread ends,
/// whether it finished, failed or panicked.
struct Lease<'a, P: Pool + ?Sized> {
    /// Where the token came from.
    pool: &'a P,
    /// The token.
    token: u8,
}

impl<P: Pool + ?Sized> Drop for Lease<'_, P> {
    fn drop(&mut self) {
        self.pool.give_back(self.token);
    }
}

/// Applies `function` to every item, on the calling thread and on as many
/// more as `pool` gives tokens for, and returns the results in item order,
/// or the error of the first item (in item order) that failed.
///
/// Threads take the next unclaimed item until none is left, so uneven item
/// costs balance out.  After a failure no new item is started; the items
/// already claimed are all before the failed one, so the error reported is
/// the same whatever the number of threads and their timing.
pub(crate) fn try_map<T, R, E, F, P>(items: &[T], pool: &P, function: F) -> Result<Vec<R>, E>
where
    T: Sync,
    R: Send,
    E: Send,
    F: Fn(&T) -> Result<R, E> + Sync,
    P: Pool + ?Sized,
{
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    // The next unclaimed item, unless none is left or one failed.
    let claim = || -> Option<(usize, &T)> {
        if failed.load(Ordering::Relaxed) {
            return None;
        }
        let index = next.fetch_add(1, Ordering::Relaxed);
        Some((index, items.get(index)?))
    };
    let run = |(index, item): (usize, &T), done: &mut Vec<(usize, Result<R, E>)>| {
        let result = function(item);
        if result.is_err() {
            failed.store(true, Ordering::Relaxed);
        }
        done.push((index, result));
    };
    let (claim, run) = (&claim, &run);

    let mut done = Vec::new();
    thread::scope(|scope| {
        let mut helpers = Vec::new();
        loop {
            // Another thread is worth a token while, besides the item this
            // thread takes next, another one waits: the new thread starts
            // with it.
            while next.load(Ordering::Relaxed).saturating_add(1) < items.len() {
                let Some(token) = pool.try_take() else {
                    break;
                };
                let lease = Lease { pool, token };
                let Some(first) = claim() else {
                    break;
                };
                helpers.push(scope.spawn(move || {
                    let _lease = lease;
                    let mut done = Vec::new();
                    let mut item = Some(first);
                    while let Some(claimed) = item {
                        run(claimed, &mut done);
                        item = claim();
                    }
                    done
                }));
            }
            let Some(claimed) = claim() else {
                break;
            };
            run(claimed, &mut done);
        }
        for helper in helpers {
            match helper.join() {
                Ok(results) => done.extend(results),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    done.sort_unstable_by_key(|&(index, _)| index);
    done.into_iter().map(|(_, result)| result).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn threads(count: usize) -> Threads {
        Threads::new(NonZeroUsize::new(count).unwrap())
    }

    #[test]
    fn results_are_in_item_order_for_any_thread_count() {
        let items: Vec<u64> = (0..1000).collect();
        let expected: Vec<u64> = items.iter().map(|n| n * n).collect();
        for count in [1, 2, 3, 8, 64, 2000] {
            let squares = try_map(&items, &threads(count), |&n| Ok::<_, ()>(n * n)).unwrap();
            assert_eq!(squares, expected, "{count} threads");
        }
    }

    #[test]
    fn the_first_failing_item_is_reported() {
        let items: Vec<u32> = (0..500).collect();
        for count in [1, 2, 4, 16] {
            let result = try_map(&items, &threads(count), |&n| {
                if n % 97 == 13 {
                    Err(n)
                } else {
                    Ok(n)
                }
            });
            assert_eq!(result, Err(13), "{count} threads");
        }
    }

    #[test]
    fn no_items() {
        let items: [u8; 0] = [];
        assert_eq!(
            try_map(&items, &threads(4), |&n| Ok::<_, ()>(n)),
            Ok(Vec::new())
        );
    }

    /// A pool of `free` tokens that records how many were held at most.
    struct Counting {
        /// Tokens free, held now and held at most.
        state: Mutex<(usize, usize, usize)>,
    }

    impl Counting {
        fn new(free: usize) -> Self {
            Counting {
                state: Mutex::new((free, 0, 0)),
            }
        }
    }

    impl Pool for Counting {
        fn try_take(&self) -> Option<u8> {
            let mut state = self.state.lock().unwrap();
            let (free, held, most) = *state;
            *state = (free.checked_sub(1)?, held + 1, most.max(held + 1));
            Some(b'+')
        }

        fn give_back(&self, token: u8) {
            assert_eq!(token, b'+');
            let mut state = self.state.lock().unwrap();
            state.0 += 1;
            state.1 -= 1;
        }
    }

    #[test]
    fn every_token_comes_back_and_none_is_taken_without_work() {
        for (items, free) in [(0, 3), (1, 3), (2, 3), (3, 8), (100, 0), (100, 5)] {
            let items: Vec<u32> = (0..items).collect();
            let pool = Counting::new(free);
            for fail in [false, true] {
                let result = try_map(&items, &pool, |&n| {
                    if fail && n == 1 {
                        return Err(n);
                    }
                    Ok(n)
                });
                assert_eq!(result.is_err(), fail && items.len() > 1);
                let (now_free, held, most) = *pool.state.lock().unwrap();
                assert_eq!((now_free, held), (free, 0), "{} items", items.len());
                // The calling thread takes one item; every other thread
                // starts with one.
                assert!(most < items.len().max(1), "{} items", items.len());
            }
        }
    }

    #[test]
    fn tokens_come_back_when_a_thread_panics() {
        let pool = Counting::new(4);
        let items: Vec<u32> = (0..100).collect();
        let outcome = std::panic::catch_unwind(|| {
            try_map(&items, &pool, |&n| {
                assert_ne!(n, 50, "a bug");
                Ok::<_, ()>(n)
            })
        });
        assert!(outcome.is_err());
        assert_eq!(pool.state.lock().unwrap().0, 4);
    }
}
