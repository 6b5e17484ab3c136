//! Group commit for SQLite's one writer connection: small writes that arrive while the writer
//! is busy run one after another in a single transaction, which commits once. A burst of
//! timeline events then pays for one commit (one write of the shared pages to the log, one
//! flush of the search index's pending terms) instead of one each, and the writer never waits
//! on a request's task between two statements.
//!
//! Should one write of a batch fail, the batch is taken back and each of its writes runs again
//! in a transaction of its own, so one write's error never takes back another's changes. That
//! is why a write here may run twice and must do nothing but write through its transaction.
//! (Savepoints would keep the others without running them again, but SQLite's full-text index
//! writes its pending terms out at every savepoint, which is most of what a batch saves.)

use crate::error::AppError;
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr, TransactionTrait};
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use tokio::sync::{mpsc, oneshot};

/// The most writes one transaction takes, so that a batch holds the writer only briefly.
const MOST_AT_ONCE: usize = 64;

/// A write's work inside a transaction.
pub type Work<'t, T> = Pin<Box<dyn Future<Output = Result<T, AppError>> + Send + 't>>;

type Step<'t, O> = Pin<Box<dyn Future<Output = O> + Send + 't>>;

/// A write waiting for the writer, type-erased so that writes of every kind share the queue.
trait Queued: Send {
    /// Runs the write in the batch's transaction; false if it failed.
    fn in_batch<'t>(&'t mut self, txn: &'t DatabaseTransaction) -> Step<'t, bool>;
    /// Tells the one who asked that the batch committed.
    fn committed(self: Box<Self>);
    /// Runs the write in a transaction of its own and tells the one who asked how it ended.
    fn alone(self: Box<Self>, writer: &DatabaseConnection) -> Step<'_, ()>;
}

struct Write<T, F> {
    work: F,
    done: Option<T>,
    answer: oneshot::Sender<Result<T, AppError>>,
}

impl<T, F> Queued for Write<T, F>
where
    T: Send + 'static,
    F: for<'t> Fn(&'t DatabaseTransaction) -> Work<'t, T> + Send + Sync + 'static,
{
    fn in_batch<'t>(&'t mut self, txn: &'t DatabaseTransaction) -> Step<'t, bool> {
        Box::pin(async move {
            match (self.work)(txn).await {
                Ok(value) => {
                    self.done = Some(value);
                    true
                }
                Err(_) => false,
            }
        })
    }

    fn committed(self: Box<Self>) {
        if let Some(value) = self.done {
            // The one who asked may have gone; the write stands either way.
            let _ = self.answer.send(Ok(value));
        }
    }

    fn alone(self: Box<Self>, writer: &DatabaseConnection) -> Step<'_, ()> {
        Box::pin(async move {
            let outcome = alone(writer, &self.work).await;
            let _ = self.answer.send(outcome);
        })
    }
}

/// Runs `work` in a transaction of its own.
pub(crate) async fn alone<T, F>(writer: &DatabaseConnection, work: &F) -> Result<T, AppError>
where
    F: for<'t> Fn(&'t DatabaseTransaction) -> Work<'t, T>,
{
    let txn = writer.begin().await?;
    let value = work(&txn).await?;
    txn.commit().await?;
    Ok(value)
}

/// The queue in front of the writer, and the task that works through it. The task starts with
/// the first write, and again if the runtime it ran on has gone (as between tests).
pub struct GroupCommit {
    writer: DatabaseConnection,
    queue: Mutex<Option<mpsc::UnboundedSender<Box<dyn Queued>>>>,
}

impl std::fmt::Debug for GroupCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit").finish_non_exhaustive()
    }
}

impl GroupCommit {
    pub fn new(writer: DatabaseConnection) -> GroupCommit {
        GroupCommit {
            writer,
            queue: Mutex::new(None),
        }
    }

    /// Runs `work` in the next batch's transaction and returns its result once it is committed.
    pub async fn run<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: for<'t> Fn(&'t DatabaseTransaction) -> Work<'t, T> + Send + Sync + 'static,
    {
        let (answer, answered) = oneshot::channel();
        let write = Write {
            work,
            done: None,
            answer,
        };
        self.sender()
            .send(Box::new(write))
            .map_err(|_| AppError::internal("the database writer has stopped"))?;
        answered
            .await
            .map_err(|_| AppError::internal("a write was abandoned by the database writer"))?
    }

    fn sender(&self) -> mpsc::UnboundedSender<Box<dyn Queued>> {
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(sender) = queue.as_ref().filter(|s| !s.is_closed()) {
            return sender.clone();
        }
        let (sender, received) = mpsc::unbounded_channel();
        tokio::spawn(work_through(self.writer.clone(), received));
        *queue = Some(sender.clone());
        sender
    }
}

async fn work_through(
    writer: DatabaseConnection,
    mut queue: mpsc::UnboundedReceiver<Box<dyn Queued>>,
) {
    let mut batch = Vec::with_capacity(MOST_AT_ONCE);
    while queue.recv_many(&mut batch, MOST_AT_ONCE).await > 0 {
        if batch.len() > 1 {
            match in_one_transaction(&writer, &mut batch).await {
                Ok(()) => {
                    for write in batch.drain(..) {
                        write.committed();
                    }
                    continue;
                }
                Err(Some(e)) => {
                    tracing::warn!(error = %e, writes = batch.len(), "a group of writes did not commit; each runs alone");
                }
                // One write failed: each runs alone, and only that one fails again.
                Err(None) => {}
            }
        }
        for write in batch.drain(..) {
            write.alone(&writer).await;
        }
    }
}

/// Runs the batch in one transaction and commits it, or takes it all back: `Err(None)` when a
/// write failed, `Err(Some(_))` when the database did.
async fn in_one_transaction(
    writer: &DatabaseConnection,
    batch: &mut [Box<dyn Queued>],
) -> Result<(), Option<DbErr>> {
    let txn = writer.begin().await.map_err(Some)?;
    for write in batch.iter_mut() {
        if !write.in_batch(&txn).await {
            txn.rollback().await.map_err(Some)?;
            return Err(None);
        }
    }
    txn.commit().await.map_err(Some)
}
