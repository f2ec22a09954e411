//! The lines' mailboxes (RFC 3842 message waiting) as the engine reports them: the count on
//! the dialer's voicemail button, the tray and the phone tab, and a notification when new
//! messages arrive.

use super::{desktop_glue, App};
use parla_core::AccountId;
use std::collections::BTreeMap;

/// One line's mailbox, as last reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mailbox {
    pub waiting: bool,
    pub new: u32,
    pub old: u32,
    /// The server does not offer message waiting (said once; then the counts are 0).
    pub unavailable: Option<String>,
}

#[derive(Debug, Default)]
pub struct Mailboxes {
    by_line: BTreeMap<AccountId, Mailbox>,
    /// The last notification asked for: the line and its new-message count.
    pub last_notice: Option<(AccountId, u32)>,
}

impl Mailboxes {
    /// Keeps the line's latest state; the new-message count when it went up (a notification
    /// is due). A first report counts up from 0, so a first report of 0 says nothing.
    pub fn apply(&mut self, account: &AccountId, mailbox: Mailbox) -> Option<u32> {
        let new = mailbox.new;
        let before = self
            .by_line
            .insert(account.clone(), mailbox)
            .map_or(0, |m| m.new);
        (new > before).then_some(new)
    }

    /// New messages waiting on this line.
    pub fn new_messages(&self, account: &AccountId) -> u32 {
        self.by_line.get(account).map_or(0, |m| m.new)
    }

    /// New messages on the lines that are kept (removed lines' last reports do not count).
    pub fn total_new<'a>(&self, lines: impl Iterator<Item = &'a str>) -> u32 {
        lines.fold(0u32, |sum, id| {
            sum.saturating_add(self.new_messages(&AccountId::new(id)))
        })
    }
}

impl App {
    pub(super) fn on_voicemail(&mut self, account: &AccountId, mailbox: Mailbox) {
        if let Some(reason) = &mailbox.unavailable {
            tracing::info!(%account, %reason, "no message waiting on this line");
        }
        let Some(new) = self.mailboxes.apply(account, mailbox) else {
            return;
        };
        self.mailboxes.last_notice = Some((account.clone(), new));
        let summary = self.i18n.tr_count("voicemail-new", u64::from(new));
        let line = self.line_label(account.as_str());
        self.notifications.voicemail(
            &self.notifier,
            summary,
            line,
            desktop_glue::notify_labels(&self.i18n),
        );
    }

    /// New voicemail on the enabled lines, for the tray and the phone tab.
    pub(super) fn new_voicemail(&self) -> u32 {
        self.mailboxes.total_new(
            self.config
                .accounts
                .iter()
                .filter(|a| a.enabled)
                .map(|a| a.id.as_str()),
        )
    }

    /// The line the dialer calls from: the one picked, else the first of the menu (the default).
    pub(super) fn dialer_line(&self) -> Option<AccountId> {
        let choices = self.line_choices();
        self.dialer
            .line
            .as_ref()
            .filter(|id| choices.iter().any(|c| &c.id == *id))
            .cloned()
            .or_else(|| choices.first().map(|c| c.id.clone()))
    }

    /// New messages of the dialer's line, for its voicemail button.
    pub(super) fn dialer_voicemail(&self) -> u32 {
        self.dialer_line()
            .map_or(0, |line| self.mailboxes.new_messages(&line))
    }

    /// The dialer's voicemail button (and its shortcut): call the selected line's mailbox.
    pub(super) fn call_voicemail(&mut self) {
        let account = self.dialer_line();
        self.send(parla_core::Command::CallVoicemail { account });
    }
}
