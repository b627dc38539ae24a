//! A connection's task with its panics caught. A bug that panics while one connection is
//! served ends that connection (its socket closed as the task's state drops), not the core:
//! a panic unwinding out of a task would end the core's event loop, its thread and every
//! connection on it, and the kernel would go on handing the dead core's listener new
//! connections that nobody answers.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

/// `inner`, finishing early (and never polled again) if a poll of it panics.
pub struct Caught {
    inner: Option<Pin<Box<dyn Future<Output = ()>>>>,
}

impl Caught {
    pub fn new(inner: impl Future<Output = ()> + 'static) -> Caught {
        Caught { inner: Some(Box::pin(inner)) }
    }
}

impl Future for Caught {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Some(inner) = self.inner.as_mut() else { return Poll::Ready(()) };
        match catch_unwind(AssertUnwindSafe(|| inner.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(())) | Err(_) => {
                // Dropped here: the connection's guards give back its slot and close it.
                self.inner = None;
                Poll::Ready(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;

    struct Dropped(Rc<Cell<bool>>);
    impl Drop for Dropped {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }

    #[test]
    fn a_panicking_task_finishes_and_drops_its_state() {
        let dropped = Rc::new(Cell::new(false));
        let guard = Dropped(dropped.clone());
        let mut rt = monoio::RuntimeBuilder::<monoio::LegacyDriver>::new().build().unwrap();
        rt.block_on(async move {
            let task = monoio::spawn(Caught::new(async move {
                let _g = guard;
                monoio::time::sleep(std::time::Duration::from_millis(1)).await;
                std::panic::resume_unwind(Box::new("bug"));
            }));
            task.await;
            // The runtime is still alive to run more tasks.
            assert_eq!(monoio::spawn(async { 7 }).await, 7);
        });
        assert!(dropped.get(), "the task's state was dropped");
    }
}
