//! A gate for work that holds much memory for a moment: at most `size` such pieces of work
//! run at once in this process, the others wait their turn (`SAMVERKAN_COVERAGE_CONCURRENCY`,
//! [`crate::config::Settings::coverage_concurrency`]).
//!
//! Domain-free: it knows permits, not what they guard. The server makes one gate
//! ([`crate::startup::Application::gate`]) and hands it to both paths that lay out large
//! results: the GraphQL `coverage` query holds a [`Pass`] while its matrix is laid out and
//! answered (the schema's data), and every export (`GET /exports/…`,
//! [`crate::exports_http`]) holds one while its report is computed and its file written
//! (the writing runs on a blocking thread: [`Pass::run_blocking`] keeps the pass until it
//! returns). So a server answering four national matrices at once holds at most `size` of
//! them in memory, whichever way they were asked for.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

/// How many pieces of work are inside the gate, and how many wait at it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Occupancy {
    /// Holding a [`Pass`].
    pub inside: usize,
    /// Waiting in [`Gate::enter`].
    pub waiting: usize,
}

/// At most [`Gate::size`] [`Pass`]es at once. Cloning gives the same gate.
#[derive(Debug, Clone)]
pub struct Gate {
    permits: Arc<Semaphore>,
    size: usize,
    occupancy: Arc<watch::Sender<Occupancy>>,
}

impl Gate {
    /// A gate letting `permits` in at once; 0 means one per CPU core (the setting's
    /// default).
    pub fn new(permits: usize) -> Self {
        let size = if permits > 0 {
            permits
        } else {
            std::thread::available_parallelism().map_or(1, usize::from)
        };
        Self {
            permits: Arc::new(Semaphore::new(size)),
            size,
            occupancy: Arc::new(watch::Sender::new(Occupancy::default())),
        }
    }

    /// How many may be inside at once.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Wait for a turn; the turn lasts as long as the [`Pass`]. A caller that stops
    /// waiting (its future dropped) leaves the queue.
    pub async fn enter(&self) -> Pass {
        self.occupancy.send_modify(|o| o.waiting += 1);
        let queued = Queued(&self.occupancy);
        // The semaphore is never closed, so this waits for a permit and gets one.
        let permit = self.permits.clone().acquire_owned().await.ok();
        drop(queued);
        self.occupancy.send_modify(|o| o.inside += 1);
        Pass {
            _permit: permit,
            occupancy: self.occupancy.clone(),
        }
    }

    /// Who is inside and who waits, now.
    pub fn occupancy(&self) -> Occupancy {
        *self.occupancy.borrow()
    }

    /// Follow the occupancy as it changes (tests wait on it: `wait_for(|o| o.waiting == 2)`).
    pub fn watch(&self) -> watch::Receiver<Occupancy> {
        self.occupancy.subscribe()
    }
}

/// Counts a caller as waiting until dropped (also when its future is dropped mid-wait).
struct Queued<'a>(&'a watch::Sender<Occupancy>);

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0
            .send_modify(|o| o.waiting = o.waiting.saturating_sub(1));
    }
}

/// A turn inside the [`Gate`]: the place is given back when it is dropped.
#[derive(Debug)]
pub struct Pass {
    _permit: Option<OwnedSemaphorePermit>,
    occupancy: Arc<watch::Sender<Occupancy>>,
}

impl Pass {
    /// Run `work` on a blocking thread (`spawn_blocking`) with this pass held until `work`
    /// returns — also when the caller stops waiting for it (the thread runs on, and the
    /// memory it holds is still in use until it ends).
    ///
    /// # Errors
    /// The blocking task's failure (a panic in `work`).
    pub async fn run_blocking<T: Send + 'static>(
        self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, tokio::task::JoinError> {
        tokio::task::spawn_blocking(move || {
            let done = work();
            drop(self);
            done
        })
        .await
    }
}

impl Drop for Pass {
    fn drop(&mut self) {
        self.occupancy
            .send_modify(|o| o.inside = o.inside.saturating_sub(1));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn zero_means_one_per_core() {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        assert_eq!(Gate::new(0).size(), cores);
        assert_eq!(Gate::new(3).size(), 3);
    }

    /// A second caller waits while the one pass is held, and goes in when it is dropped.
    #[tokio::test]
    async fn a_second_caller_waits_for_the_pass() {
        let gate = Gate::new(1);
        let first = gate.enter().await;
        assert_eq!(
            gate.occupancy(),
            Occupancy {
                inside: 1,
                waiting: 0
            }
        );
        let second = tokio::spawn({
            let gate = gate.clone();
            async move { gate.enter().await }
        });
        gate.watch().wait_for(|o| o.waiting == 1).await.unwrap();
        assert!(!second.is_finished());
        drop(first);
        let second = second.await.unwrap();
        assert_eq!(
            gate.occupancy(),
            Occupancy {
                inside: 1,
                waiting: 0
            }
        );
        drop(second);
        assert_eq!(gate.occupancy(), Occupancy::default());
    }

    /// A caller that gives up waiting leaves the queue.
    #[tokio::test]
    async fn a_caller_that_stops_waiting_leaves_the_queue() {
        let gate = Gate::new(1);
        let first = gate.enter().await;
        let waiting = tokio::spawn({
            let gate = gate.clone();
            async move { gate.enter().await }
        });
        gate.watch().wait_for(|o| o.waiting == 1).await.unwrap();
        waiting.abort();
        gate.watch().wait_for(|o| o.waiting == 0).await.unwrap();
        drop(first);
        assert_eq!(gate.occupancy(), Occupancy::default());
    }

    /// Blocking work runs with the pass held, and keeps it until it returns even when the
    /// caller stops waiting for it.
    #[tokio::test]
    async fn blocking_work_holds_the_pass_until_it_returns() {
        let gate = Gate::new(1);
        let seen = {
            let gate = gate.clone();
            gate.enter()
                .await
                .run_blocking(move || gate.occupancy())
                .await
                .unwrap()
        };
        assert_eq!(seen.inside, 1, "inside the gate while it works");
        assert_eq!(gate.occupancy(), Occupancy::default());

        let (go, wait) = std::sync::mpsc::channel::<()>();
        let (started, has_started) = tokio::sync::oneshot::channel::<()>();
        let caller = tokio::spawn(gate.enter().await.run_blocking(move || {
            let _ = started.send(());
            let _ = wait.recv();
        }));
        has_started.await.unwrap();
        caller.abort();
        let _ = caller.await;
        assert_eq!(gate.occupancy().inside, 1, "still working, still inside");
        go.send(()).unwrap();
        gate.watch().wait_for(|o| o.inside == 0).await.unwrap();
    }
}
