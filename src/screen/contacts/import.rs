//! The contacts screen's import panel: a file's path (typed, pasted, or dropped on the window),
//! Import and Cancel, and what came of it. The engine reads the file on its store thread
//! (`import_contacts`); the panel shows the answer that carries the id it waits for.
//!
//! A desktop-portal file chooser (org.freedesktop.portal.FileChooser) would plug in beside the
//! path field: its answer is a path for [`ImportPanel::start`], like a dropped file's.

use crate::i18n::I18n;
use crate::style::{self, size, space, Tone};
use crate::widget::{action, icon, icon_button, Glyph, Press};
use iced::widget::{column, container, row, text, text_input};
use iced::{Alignment, Element, Length};
use parla_core::api::RequestId;
use parla_core::{Command, Event};
use std::path::PathBuf;

/// Longest path the field takes (characters).
const MAX_PATH_CHARS: usize = 4096;
/// How many of the engine's refusal reasons the panel lists.
const SHOWN_REFUSALS: usize = 3;

/// What came of the last import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Said {
    /// The counts in words, and the first refusals' reasons.
    Done(String, Vec<String>),
    /// Nothing was imported: why, in words.
    Failed(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportPanel {
    pub path: String,
    /// The import whose answer the panel waits for.
    pub waiting: Option<RequestId>,
    pub said: Option<Said>,
}

#[derive(Debug, Clone)]
pub enum Msg {
    Path(String),
    Start,
    Cancel,
}

impl ImportPanel {
    /// A panel with `path` in its field, already importing it.
    pub fn importing(path: PathBuf, request: RequestId) -> (ImportPanel, Command) {
        let mut panel = ImportPanel {
            path: path.display().to_string(),
            ..ImportPanel::default()
        };
        let command = panel.start(path, request);
        (panel, command)
    }

    /// Asks the engine to import `path`; answers for earlier imports are ignored from now on.
    pub fn start(&mut self, path: PathBuf, request: RequestId) -> Command {
        self.waiting = Some(request);
        self.said = None;
        Command::ImportContacts {
            path,
            request: Some(request),
        }
    }

    /// Typing in the field; Import (or Enter) with a path starts the import. `true` from
    /// `Cancel`: the panel closes.
    pub fn update(
        &mut self,
        msg: Msg,
        next_request: &mut impl FnMut() -> RequestId,
    ) -> (Option<Command>, bool) {
        match msg {
            Msg::Path(path) => {
                self.path = path.chars().take(MAX_PATH_CHARS).collect();
                (None, false)
            }
            Msg::Start => {
                let path = self.path.trim();
                if path.is_empty() || self.waiting.is_some() {
                    return (None, false);
                }
                let path = expand_home(path);
                (Some(self.start(path, next_request())), false)
            }
            Msg::Cancel => (None, true),
        }
    }

    /// Takes the answer to the import the panel waits for; `true` when it was that.
    pub fn on_event(&mut self, event: &Event, i18n: &I18n) -> bool {
        let Some(waiting) = self.waiting else {
            return false;
        };
        match event {
            Event::ContactsImported {
                request: Some(request),
                imported,
                refused,
                refused_rows,
            } if *request == waiting => {
                self.waiting = None;
                let shown = refused_rows.iter().take(SHOWN_REFUSALS).cloned().collect();
                self.said = Some(Said::Done(counts(i18n, *imported, *refused), shown));
                true
            }
            Event::Error {
                request: Some(request),
                kind,
                message,
                ..
            } if *request == waiting => {
                self.waiting = None;
                let text = crate::app::errors::describe(i18n, *kind, message);
                self.said = Some(Said::Failed(text));
                true
            }
            _ => false,
        }
    }

    pub fn view<'a>(&'a self, i18n: &I18n) -> Element<'a, Msg> {
        let title = row![
            icon(Glyph::Import, size::ICON).style(text::secondary),
            text(i18n.tr("contacts-import-title"))
                .size(size::BODY)
                .width(Length::Fill),
            icon_button(
                Glyph::Close,
                i18n.tr("contacts-import-hide"),
                Tone::Quiet,
                Some(Msg::Cancel)
            ),
        ]
        .spacing(space::S)
        .align_y(Alignment::Center);
        let field = text_input(&i18n.tr("contacts-import-placeholder"), &self.path)
            .id("contacts-import-path")
            .on_input(Msg::Path)
            .on_submit(Msg::Start)
            .size(size::BODY)
            .padding(space::S);
        let can_start = self.waiting.is_none() && !self.path.trim().is_empty();
        let import_label = if self.waiting.is_some() {
            i18n.tr("contacts-importing")
        } else {
            i18n.tr("contacts-import-start")
        };
        let buttons = row![
            action(Glyph::Import, import_label, Tone::Accent)
                .press_maybe(can_start.then_some(Msg::Start)),
            action(Glyph::Close, i18n.tr("cancel"), Tone::Neutral).press(Msg::Cancel),
        ]
        .spacing(space::S)
        .wrap();
        let mut content = column![
            title,
            text(i18n.tr("contacts-import-help"))
                .size(size::CAPTION)
                .style(text::secondary),
            field,
            buttons,
        ]
        .spacing(space::S);
        match &self.said {
            Some(Said::Done(counts, refusals)) => {
                content = content.push(text(counts.clone()).size(size::BODY));
                for why in refusals {
                    content =
                        content.push(text(why.clone()).size(size::CAPTION).style(text::secondary));
                }
            }
            Some(Said::Failed(why)) => {
                content = content.push(text(why.clone()).size(size::BODY).style(text::danger));
            }
            None => {}
        }
        container(content)
            .padding(space::M)
            .width(Length::Fill)
            .style(style::card)
            .into()
    }
}

/// "Imported 12 contacts, 1 refused", in the person's language with its plural forms.
pub fn counts(i18n: &I18n, imported: usize, refused: usize) -> String {
    let as_count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    let imported = i18n.tr_count("contacts-imported", as_count(imported));
    if refused == 0 {
        return imported;
    }
    let refused = i18n.tr_count("contacts-import-refused", as_count(refused));
    i18n.tr_args(
        "contacts-import-result",
        &[("imported", &imported), ("refused", &refused)],
    )
}

/// `~/contacts.csv` as the shell would read it.
fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// Whether a dropped file is one to import: a CSV or vCard file by its extension.
pub fn is_contacts_file(path: &std::path::Path) -> bool {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| matches!(e.as_str(), "csv" | "tsv" | "vcf" | "vcard"))
}
