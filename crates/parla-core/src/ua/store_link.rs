//! The engine's line to the local database (contacts and call history).
//!
//! One thread ("parla-store") owns the SQLite connection and takes jobs from a channel: caller
//! lookups (answered on a oneshot), finished calls to record, text messages to keep, and the
//! requests of the control vocabulary (searches, edits, directory replacements:
//! [`StoreLink::run`]). A dedicated thread rather than
//! `spawn_blocking` per query because [`Store`] is not `Sync` (one connection, used from one
//! thread, keeps its prepared statements cached), the jobs run in the order they were sent (a
//! call's record is written before the engine's closing job, so quitting never loses one), and
//! the SQLite work never takes an async worker or a blocking-pool thread.
//!
//! A database that cannot be opened is logged and the link goes quiet: lookups find no one,
//! records are dropped, calls go on.

use crate::config::AccountConfig;
use crate::store::{
    CallExtras, CallRecord, CallerName, MessageEntry, MessageId, MessageState, NewMessage,
    NewVoicemail, Region, Store, StoreError, VoicemailEntry,
};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// How long an incoming call waits for its caller's name before it rings without one. The
/// lookup is one indexed query (tens of microseconds); this only bounds a database thread held
/// up by a write (another process importing holds the write lock).
pub const LOOKUP_TIMEOUT: Duration = Duration::from_millis(250);
/// The same while the database is still opening (the first seconds after start: the
/// phone-number library reads its metadata then, about half a second in a debug build), so a
/// call right after start is still named, and a blocked caller still refused.
pub const OPENING_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the end of a call waits for its history row to be written (a few milliseconds
/// unless another process holds the database's write lock) before it reports `ended` anyway.
pub const RECORD_WAIT: Duration = Duration::from_secs(1);
/// How often the calls under way are noted as still up: a call cut short by a crash is in the
/// history with its length known to within this.
pub const CHECKPOINT_EVERY: Duration = Duration::from_secs(5);
/// Jobs the store thread may have waiting. A caller lookup that timed out stays queued, so
/// while another process holds the write lock a flood of calls through the server would
/// otherwise grow the queue without end; beyond this a job is refused (as if it timed out).
pub const STORE_JOBS: usize = 1024;

static STORE_FULL: crate::ua::log_limit::DropLog = crate::ua::log_limit::DropLog::new(
    "database jobs (its queue was full: the database is held up)",
    crate::ua::log_limit::SUMMARY_EVERY,
);

/// Queues `job` without waiting; false (a full queue counted) when it cannot be.
fn queue(jobs: &mpsc::SyncSender<Job>, job: Job) -> bool {
    match jobs.try_send(job) {
        Ok(()) => true,
        Err(mpsc::TrySendError::Full(_)) => {
            STORE_FULL.note(None);
            false
        }
        Err(mpsc::TrySendError::Disconnected(_)) => false,
    }
}

/// Work for the store thread: given the store, or `None` when the database could not be opened.
type StoreJob = Box<dyn FnOnce(Option<&mut Store>) + Send>;

enum Job {
    Lookup {
        raw: String,
        region: Region,
        reply: oneshot::Sender<Option<CallerName>>,
    },
    Record {
        call: Box<CallRecord>,
        /// The file the call was recorded into, its MOS.
        extras: CallExtras,
        region: Region,
        written: oneshot::Sender<()>,
    },
    RecordVoicemail {
        call: Box<CallRecord>,
        extras: CallExtras,
        message: Box<NewVoicemail>,
        region: Region,
        written: oneshot::Sender<Option<VoicemailEntry>>,
    },
    Run(StoreJob),
    Close {
        done: oneshot::Sender<()>,
    },
}

/// What the store thread found when it opened the database: `Ok` with where an unreadable old
/// file was moved (if it was) and what waits for the user, or why it cannot be used.
pub type Opening = Result<OpenedStore, StoreError>;

/// A database that opened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenedStore {
    /// Where an unreadable old file was moved, if it was.
    pub moved_aside: Option<PathBuf>,
    /// Missed calls not yet seen.
    pub unseen_missed: u64,
    /// Answering machine messages not heard yet.
    pub unheard_voicemail: u64,
    /// Text messages not read yet.
    pub unread_messages: u64,
}

/// A handle on the store thread; cheap to clone. [`StoreLink::none`] has no database behind it.
#[derive(Clone, Default)]
pub struct StoreLink {
    jobs: Option<mpsc::SyncSender<Job>>,
    /// Set once the database is open and ready for lookups.
    ready: Arc<AtomicBool>,
}

impl StoreLink {
    /// No database: lookups find no one and records are dropped.
    pub fn none() -> Self {
        Self::default()
    }

    /// Starts the store thread on the database file `path` (created if missing). Opening
    /// happens on that thread; jobs sent meanwhile wait for it.
    #[cfg(test)]
    pub fn open(path: PathBuf) -> Self {
        Self::open_then(path, |_| {})
    }

    /// As [`StoreLink::open`], and `opened` is told on the store thread how opening went.
    pub fn open_then(path: PathBuf, opened: impl FnOnce(Opening) + Send + 'static) -> Self {
        let (tx, rx) = mpsc::sync_channel(STORE_JOBS);
        let ready = Arc::new(AtomicBool::new(false));
        let ready_flag = ready.clone();
        let spawned = std::thread::Builder::new()
            .name("parla-store".into())
            .spawn(move || serve(path, rx, &ready_flag, opened));
        match spawned {
            Ok(_) => Self {
                jobs: Some(tx),
                ready,
            },
            Err(e) => {
                tracing::error!(error = %e, "cannot start the database thread; no caller names or call history");
                Self::none()
            }
        }
    }

    /// The contact owning the number (or SIP URI) `raw`; `None` when there is none, when there
    /// is no database, or when it does not answer within [`LOOKUP_TIMEOUT`] (or
    /// [`OPENING_TIMEOUT`] while it opens).
    pub async fn caller_name(&self, raw: &str, region: Region) -> Option<CallerName> {
        let jobs = self.jobs.as_ref()?;
        let started = Instant::now();
        let (reply, answer) = oneshot::channel();
        let job = Job::Lookup {
            raw: raw.to_string(),
            region,
            reply,
        };
        queue(jobs, job).then_some(())?;
        let timeout = if self.ready.load(Ordering::Acquire) {
            LOOKUP_TIMEOUT
        } else {
            OPENING_TIMEOUT
        };
        let found = match tokio::time::timeout(timeout, answer).await {
            Ok(answer) => answer.ok().flatten(),
            Err(_) => {
                tracing::warn!(
                    timeout_ms = timeout.as_millis() as u64,
                    "caller lookup timed out; the call goes on without a name"
                );
                None
            }
        };
        tracing::debug!(
            lookup_us = started.elapsed().as_micros() as u64,
            found = found.is_some(),
            "caller lookup"
        );
        found
    }

    /// Writes a finished call to the history (`region` reads its number) and waits until it
    /// is written, at most [`RECORD_WAIT`]: whoever learns that the call ended next (the
    /// window re-reading its history list) finds the row there.
    pub async fn record(&self, call: CallRecord, region: Region) {
        self.record_with(call, CallExtras::default(), region).await;
    }

    /// [`Self::record`] of a call with audio (its recording, its MOS).
    pub async fn record_with(&self, call: CallRecord, extras: CallExtras, region: Region) {
        let Some(jobs) = &self.jobs else { return };
        let (written, done) = oneshot::channel();
        let job = Job::Record {
            call: Box::new(call),
            extras,
            region,
            written,
        };
        if !queue(jobs, job) {
            tracing::debug!("no database: call not recorded");
            return;
        }
        if tokio::time::timeout(RECORD_WAIT, done).await.is_err() {
            tracing::warn!("the call history is slow to write; the call's row follows later");
        }
    }

    /// Writes a call that left a message on the answering machine: its history row and the
    /// message's row, in one transaction (see [`Store::record_voicemail`]), with the call's MOS in
    /// `extras`, and waits for it.
    /// `None` when there is no database or the write failed (logged): the caller keeps the
    /// file and tells the user.
    pub async fn record_voicemail(
        &self,
        call: CallRecord,
        message: NewVoicemail,
        extras: CallExtras,
        region: Region,
    ) -> Option<VoicemailEntry> {
        let Some(jobs) = &self.jobs else {
            tracing::warn!("no database: the message is not in the voicemail list");
            return None;
        };
        let (written, done) = oneshot::channel();
        let job = Job::RecordVoicemail {
            call: Box::new(call),
            extras,
            message: Box::new(message),
            region,
            written,
        };
        if !queue(jobs, job) {
            tracing::warn!(
                "the database is closed or held up: the message is not in the voicemail list"
            );
            return None;
        }
        done.await.ok().flatten()
    }

    /// Keeps a text message sent or received (see [`Store::add_message`]) and waits for it.
    /// `None` when there is no database or it could not be written (logged).
    pub async fn add_message(&self, message: NewMessage) -> Option<MessageEntry> {
        self.ask("keep the text message", move |store| {
            store.add_message(&message)
        })
        .await
    }

    /// Where a sent message stands now (see [`Store::set_message_state`]). `None` when there
    /// is no database, no such message, or the write failed (logged).
    pub async fn set_message_state(
        &self,
        id: MessageId,
        state: MessageState,
        code: Option<u16>,
        reason: Option<String>,
    ) -> Option<MessageEntry> {
        self.ask("update the text message", move |store| {
            store.set_message_state(id, state, code, reason.as_deref())
        })
        .await
    }

    /// One text message; `None` when there is none, or no database (a failed read is logged).
    pub async fn message(&self, id: MessageId) -> Option<MessageEntry> {
        self.ask("read the text message", move |store| store.message(id))
            .await
            .flatten()
    }

    /// Notes a call as under way (when it starts, and again when it is answered): if Parla is
    /// killed before the call's history row is written, the next start records it as
    /// interrupted. `call` is the call as it stands (its end and result are not used).
    pub fn call_under_way(&self, call_id: u64, call: CallRecord, region: Region) {
        self.run(move |store| {
            if let Some(store) = store {
                if let Err(e) = store.call_in_progress(call_id, &call, region) {
                    tracing::warn!(error = %e, "cannot note the call as under way");
                }
            }
        });
    }

    /// Runs `job` on the store thread and waits for its answer; `None`, logged with `what`,
    /// when there is no database or the job failed.
    async fn ask<T: Send + 'static>(
        &self,
        what: &'static str,
        job: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Option<T> {
        let (reply, answer) = oneshot::channel();
        let sent = self.run(move |store| {
            let answer = match store.map(job) {
                Some(Ok(answer)) => Some(answer),
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "cannot {what}");
                    None
                }
                None => {
                    tracing::warn!("no database: cannot {what}");
                    None
                }
            };
            let _ = reply.send(answer);
        });
        if !sent {
            tracing::warn!("the database is closed: cannot {what}");
            return None;
        }
        answer.await.ok().flatten()
    }

    /// Runs `job` on the store thread, after every job sent before it: with the store, or with
    /// `None` when the database could not be opened (so every job is answered). False when
    /// there is no store thread (none was started, or the link is closed): the job is dropped
    /// unrun.
    pub fn run(&self, job: impl FnOnce(Option<&mut Store>) + Send + 'static) -> bool {
        self.jobs
            .as_ref()
            .is_some_and(|jobs| queue(jobs, Job::Run(Box::new(job))))
    }

    /// Waits (at most `wait`) until every job sent before has been done, then stops the thread.
    pub async fn close(&self, wait: Duration) {
        let Some(jobs) = &self.jobs else { return };
        let (done, finished) = oneshot::channel();
        let closing = async {
            let sent = match jobs.try_send(Job::Close { done }) {
                Ok(()) => true,
                Err(mpsc::TrySendError::Disconnected(_)) => false,
                // The one job that waits for room: every write before it must be done.
                Err(mpsc::TrySendError::Full(close)) => {
                    let jobs = jobs.clone();
                    let sent = tokio::task::spawn_blocking(move || jobs.send(close).is_ok());
                    matches!(sent.await, Ok(true))
                }
            };
            if sent {
                let _ = finished.await;
            }
        };
        if tokio::time::timeout(wait, closing).await.is_err() {
            tracing::warn!("the database did not finish its writes in time");
        }
    }
}

fn serve(
    path: PathBuf,
    jobs: mpsc::Receiver<Job>,
    ready: &AtomicBool,
    opened_with: impl FnOnce(Opening),
) {
    let opening = Instant::now();
    let opened = Store::open(&path);
    let open_ms = opening.elapsed().as_millis() as u64;
    // The phone-number library reads its metadata on first use (~170 ms in a release build,
    // ~3-4 MB kept): here, not in the first incoming call's lookup, but only when there is
    // someone to look up. With no contacts yet, a lookup finds nobody however long it takes,
    // and the first contact saved or synced reads the metadata on this thread anyway.
    let warming = Instant::now();
    let has_contacts = opened
        .as_ref()
        .is_ok_and(|o| o.store.contact_count().map_or(true, |n| n > 0));
    if has_contacts {
        let _ = crate::store::normalise_number("+31612345678", Region::US);
    }
    tracing::debug!(
        path = %path.display(),
        open_ms,
        number_metadata_ms = warming.elapsed().as_millis() as u64,
        "database opened"
    );
    let mut store = match opened {
        Ok(opened) => {
            if let Some(old) = &opened.moved_aside {
                tracing::warn!(
                    path = %path.display(),
                    kept_as = %old.display(),
                    "the contacts database could not be read; it was moved aside and a new one started"
                );
            }
            let mut store = opened.store;
            // The calls the last run left under way (killed, crashed) are interrupted.
            match store.interrupt_unfinished_calls() {
                Ok(0) => {}
                Ok(n) => tracing::info!(n, "calls under way when Parla stopped are interrupted"),
                Err(e) => tracing::warn!(error = %e, "cannot record the interrupted calls"),
            }
            // The sends the last run left unfinished never will be: failed, to be retried.
            match store.fail_unsent() {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    n,
                    "text messages left sending when Parla stopped are failed"
                ),
                Err(e) => tracing::warn!(error = %e, "cannot fail the messages left sending"),
            }
            let report = OpenedStore {
                unseen_missed: store.unseen_missed_count().unwrap_or(0),
                unheard_voicemail: store.unheard_voicemail().unwrap_or(0),
                unread_messages: store.unread_messages().unwrap_or(0),
                moved_aside: opened.moved_aside,
            };
            opened_with(Ok(report));
            Some(store)
        }
        Err(e) => {
            tracing::error!(
                path = %path.display(),
                error = %e,
                "cannot open the contacts database; calls go on without caller names or history"
            );
            opened_with(Err(e));
            // The thread stays to answer every job (with no one found, nothing written) until
            // the engine closes the link: a request never goes unanswered.
            None
        }
    };
    ready.store(true, Ordering::Release);
    let mut checkpoint = Instant::now() + CHECKPOINT_EVERY;
    loop {
        if Instant::now() >= checkpoint {
            checkpoint = Instant::now() + CHECKPOINT_EVERY;
            if let Some(Err(e)) = store
                .as_mut()
                .map(|s| s.checkpoint_calls(std::time::SystemTime::now()))
            {
                tracing::warn!(error = %e, "cannot note the calls under way as still up");
            }
        }
        let job = match jobs.recv_timeout(checkpoint.saturating_duration_since(Instant::now())) {
            Ok(job) => job,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        };
        match job {
            Job::Lookup { raw, region, reply } => {
                let found = store.as_ref().and_then(|store| {
                    store.caller_name(&raw, region).unwrap_or_else(|e| {
                        tracing::warn!(error = %e, "caller lookup failed");
                        None
                    })
                });
                let _ = reply.send(found);
            }
            Job::Record {
                call,
                extras,
                region,
                written,
            } => {
                let recorded = store
                    .as_mut()
                    .map(|s| s.record_call_with(&call, &extras, region));
                if let Some(Err(e)) = recorded {
                    tracing::warn!(error = %e, "call not recorded in the history");
                }
                let _ = written.send(());
            }
            Job::RecordVoicemail {
                call,
                extras,
                message,
                region,
                written,
            } => {
                let entry = match store.as_mut() {
                    Some(store) => {
                        match store.record_voicemail_with(&call, &message, &extras, region) {
                            Ok(entry) => Some(entry),
                            Err(e) => {
                                tracing::warn!(error = %e, file = %message.file, "voicemail message not recorded");
                                None
                            }
                        }
                    }
                    None => {
                        tracing::warn!(file = %message.file, "no database: voicemail message not recorded");
                        None
                    }
                };
                let _ = written.send(entry);
            }
            Job::Run(job) => job(store.as_mut()),
            Job::Close { done } => {
                let _ = done.send(());
                return;
            }
        }
    }
}

/// The country for numbers without a country code on this line: its `region`, else the
/// locale's country, else the United States.
pub fn region_of(account: &AccountConfig) -> Region {
    account
        .region
        .as_deref()
        .and_then(|r| r.parse().ok())
        .or_else(locale_region)
        .unwrap_or(Region::US)
}

/// The country of the locale (`LC_ALL`, `LC_TELEPHONE`, `LANG` as `nl_NL.UTF-8`), if it names one.
pub fn locale_region() -> Option<Region> {
    ["LC_ALL", "LC_TELEPHONE", "LANG"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .and_then(|v| {
            let country = v.split(['.', '@']).next()?.split('_').nth(1)?.to_string();
            country.parse().ok()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{
        CallResult, ContactFields, Direction, HistoryFilter, Phone, PhoneLabel, DB_FILE_NAME,
    };
    use std::time::SystemTime;

    fn nl() -> Region {
        "NL".parse().unwrap()
    }

    #[tokio::test]
    async fn looks_up_callers_and_records_calls_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE_NAME);
        {
            let mut store = Store::open(&path).unwrap().store;
            let mut spam = ContactFields {
                first_name: "Spam".into(),
                last_name: "Caller".into(),
                phones: vec![Phone::new(PhoneLabel::Other, "+31 20 765 4321")],
                ..Default::default()
            };
            spam.blocked = true;
            let anna = ContactFields {
                first_name: "Anna".into(),
                last_name: "Jansen".into(),
                phones: vec![Phone::new(PhoneLabel::Mobile, "06 12345678")],
                ..Default::default()
            };
            store.add_contact(&spam, nl()).unwrap();
            store.add_contact(&anna, nl()).unwrap();
        }
        let link = StoreLink::open(path.clone());
        let anna = link
            .caller_name("sip:+31612345678@pbx.example", nl())
            .await
            .unwrap();
        assert_eq!((anna.name.as_str(), anna.blocked), ("Anna Jansen", false));
        let spam = link.caller_name("0207654321", nl()).await.unwrap();
        assert!(spam.blocked);
        assert!(link.caller_name("sip:bob@pbx", nl()).await.is_none());

        for result in [CallResult::Missed, CallResult::Answered] {
            link.record(CallRecord::incoming_now(result), nl()).await;
        }
        link.close(Duration::from_secs(5)).await;
        // Closed: further jobs are dropped, not an error.
        assert!(link.caller_name("0612345678", nl()).await.is_none());
        let store = Store::open(&path).unwrap().store;
        let rows = store.history(HistoryFilter::All, "", 10).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].name, "Anna Jansen");
        assert_eq!(store.unseen_missed_count().unwrap(), 1);
    }

    #[tokio::test]
    async fn a_held_up_database_refuses_jobs_beyond_its_queue_at_once() {
        use std::sync::atomic::AtomicUsize;
        let dir = tempfile::tempdir().unwrap();
        let (release, held) = mpsc::channel::<()>();
        // The store thread is held up (as by another process's write lock) until released.
        let link = StoreLink::open_then(dir.path().join(DB_FILE_NAME), move |_| {
            let _ = held.recv();
        });
        let ran = Arc::new(AtomicUsize::new(0));
        for _ in 0..STORE_JOBS {
            let ran = ran.clone();
            assert!(link.run(move |_| {
                ran.fetch_add(1, Ordering::Relaxed);
            }));
        }
        assert!(!link.run(|_| {}));
        let started = Instant::now();
        assert!(link.caller_name("0612345678", nl()).await.is_none());
        assert!(started.elapsed() < OPENING_TIMEOUT / 2);
        release.send(()).unwrap();
        link.close(Duration::from_secs(30)).await;
        assert_eq!(ran.load(Ordering::Relaxed), STORE_JOBS);
    }

    #[tokio::test]
    async fn an_unopenable_database_is_no_database() {
        let dir = tempfile::tempdir().unwrap();
        // A folder where the file should be: SQLite cannot open it, nor can it be moved aside.
        let path = dir.path().join("parla.db");
        std::fs::create_dir(&path).unwrap();
        let link = StoreLink::open(path);
        assert!(link.caller_name("0612345678", nl()).await.is_none());
        link.record(
            CallRecord {
                direction: Direction::Outgoing,
                account: "work".into(),
                remote_uri: "sip:1@x".into(),
                number: String::new(),
                display_name: String::new(),
                started: SystemTime::now(),
                answered: None,
                ended: SystemTime::now(),
                result: CallResult::Failed,
                reason: String::new(),
            },
            nl(),
        )
        .await;
        link.close(Duration::from_secs(5)).await;
        StoreLink::none().close(Duration::from_secs(1)).await;
    }

    #[tokio::test]
    async fn a_message_not_written_is_none() {
        let message = NewVoicemail {
            account: "work".into(),
            from: "sip:201@pbx".into(),
            name: String::new(),
            started: SystemTime::now(),
            duration_ms: 1_000,
            file: "1.wav".into(),
        };
        let call = CallRecord::incoming_now(CallResult::Missed);
        let none = StoreLink::none();
        assert!(none
            .record_voicemail(call.clone(), message.clone(), CallExtras::default(), nl())
            .await
            .is_none());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("parla.db");
        std::fs::create_dir(&path).unwrap();
        let unopenable = StoreLink::open(path);
        assert!(unopenable
            .record_voicemail(call.clone(), message.clone(), CallExtras::default(), nl())
            .await
            .is_none());
        unopenable.close(Duration::from_secs(5)).await;
        // Written: the entry comes back with its call linked.
        let link = StoreLink::open(dir.path().join("profile").join(DB_FILE_NAME));
        let entry = link
            .record_voicemail(call, message, CallExtras::default(), nl())
            .await
            .unwrap();
        assert!(entry.history.is_some());
        assert_eq!(entry.file, "1.wav");
        link.close(Duration::from_secs(5)).await;
    }

    #[tokio::test]
    async fn a_call_left_under_way_is_interrupted_when_the_link_opens_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE_NAME);
        let link = StoreLink::open(path.clone());
        let mut up = CallRecord::incoming_now(CallResult::Answered);
        up.answered = Some(up.started);
        link.call_under_way(3, up.clone(), nl());
        let mut ended = CallRecord::incoming_now(CallResult::Answered);
        // A call is known by its line, far end and start: another one from the same caller.
        ended.started -= Duration::from_secs(60);
        link.call_under_way(4, ended.clone(), nl());
        link.record(ended, nl()).await;
        // Closed without the first call's end: as if the process had been killed.
        link.close(Duration::from_secs(5)).await;
        let link = StoreLink::open(path.clone());
        link.close(Duration::from_secs(5)).await;
        let store = Store::open(&path).unwrap().store;
        let rows = store.history(HistoryFilter::All, "", 10).unwrap();
        let mut results: Vec<_> = rows.iter().map(|r| r.call.result).collect();
        results.sort_by_key(|r| r.as_str());
        assert_eq!(results, [CallResult::Answered, CallResult::Interrupted]);
        assert_eq!(store.calls_in_progress().unwrap(), 0);
    }

    #[test]
    fn the_line_region_wins_over_the_locale() {
        let mut account = AccountConfig {
            region: Some("de".into()),
            ..Default::default()
        };
        assert_eq!(region_of(&account).to_string(), "DE");
        account.region = Some("XX".into());
        // Unknown: falls back to the locale or the US; never fails.
        let _ = region_of(&account);
    }
}
