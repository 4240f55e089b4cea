// SPDX-License-Identifier: GPL-2.0

//! Running a fallible function over many items on several threads.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;

/// Applies `function` to every item on up to `jobs` threads and returns the
/// results in item order, or the error of the first item (in item order)
/// that failed.
///
/// Threads take the next unclaimed item until none is left, so uneven item
/// costs balance out.  After a failure no new item is started; the items
/// already claimed are all before the failed one, so the error reported is
/// the same whatever the number of threads and their timing.
pub(crate) fn try_map<T, R, E, F>(items: &[T], jobs: NonZeroUsize, function: F) -> Result<Vec<R>, E>
where
    T: Sync,
    R: Send,
    E: Send,
    F: Fn(&T) -> Result<R, E> + Sync,
{
    let threads = jobs.get().min(items.len());
    if threads <= 1 {
        return items.iter().map(&function).collect();
    }

    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let worker = || {
        let mut done = Vec::new();
        while !failed.load(Ordering::Relaxed) {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(index) else {
                break;
            };
            let result = function(item);
            if result.is_err() {
                failed.store(true, Ordering::Relaxed);
            }
            done.push((index, result));
        }
        done
    };

    let mut done: Vec<(usize, Result<R, E>)> = thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(worker)).collect();
        handles
            .into_iter()
            .flat_map(|handle| match handle.join() {
                Ok(done) => done,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    done.sort_unstable_by_key(|&(index, _)| index);
    done.into_iter().map(|(_, result)| result).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jobs(count: usize) -> NonZeroUsize {
        NonZeroUsize::new(count).unwrap()
    }

    #[test]
    fn results_are_in_item_order_for_any_thread_count() {
        let items: Vec<u64> = (0..1000).collect();
        let expected: Vec<u64> = items.iter().map(|n| n * n).collect();
        for count in [1, 2, 3, 8, 64, 2000] {
            let squares = try_map(&items, jobs(count), |&n| Ok::<_, ()>(n * n)).unwrap();
            assert_eq!(squares, expected, "{count} threads");
        }
    }

    #[test]
    fn the_first_failing_item_is_reported() {
        let items: Vec<u32> = (0..500).collect();
        for count in [1, 2, 4, 16] {
            let result = try_map(&items, jobs(count), |&n| {
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
            try_map(&items, jobs(4), |&n| Ok::<_, ()>(n)),
            Ok(Vec::new())
        );
    }
}
