//! What `ksni` serves on D-Bus: the item's properties (icon, tooltip, status) and its menu,
//! computed from the app's [`TrayStatus`]. Clicks go to the app as [`TrayAction`]s.

use tokio::sync::mpsc::UnboundedSender;

use super::icon::{self, Badge};
use super::{LinesStatus, TrayAction, TrayNotice, TrayStatus};

/// The well-known id of the item (the SNI `Id` property): stable across runs so that panels
/// remember where the user put it.
pub(crate) const ITEM_ID: &str = "parla";

pub(crate) struct ParlaTray {
    status: TrayStatus,
    pixmaps: Vec<ksni::Icon>,
    notices: UnboundedSender<TrayNotice>,
}

impl ParlaTray {
    pub(crate) fn new(status: TrayStatus, notices: UnboundedSender<TrayNotice>) -> ParlaTray {
        let pixmaps = pixmaps_for(&status);
        ParlaTray {
            status,
            pixmaps,
            notices,
        }
    }

    pub(crate) fn set_status(&mut self, status: TrayStatus) {
        if badge_of(&status) != badge_of(&self.status)
            || needs_attention(&status) != needs_attention(&self.status)
            || status.forwarding != self.status.forwarding
        {
            self.pixmaps = pixmaps_for(&status);
        }
        self.status = status;
    }

    fn send(&self, action: TrayAction) {
        // The app has gone away (its receiver dropped): nothing left to tell.
        let _ = self.notices.send(TrayNotice::Action(action));
    }

    /// Show/hide: flip the local idea of the window at once so the menu label follows even
    /// before the app's next `update`.
    fn toggle_window(&mut self) {
        self.status.window_visible = !self.status.window_visible;
        self.send(TrayAction::ToggleWindow);
    }

    fn toggle_dnd(&mut self) {
        let dnd = !self.status.dnd;
        self.set_status(TrayStatus {
            dnd,
            ..self.status.clone()
        });
        self.send(TrayAction::SetDnd(dnd));
    }

    /// The tooltip's text: the state of the lines, then do-not-disturb, missed calls, new
    /// voicemail and unread messages when they apply, one per line.
    pub(crate) fn description(&self) -> String {
        let labels = &self.status.labels;
        let mut lines = vec![match self.status.lines {
            LinesStatus::AllRegistered => labels.all_registered.as_str(),
            LinesStatus::SomeDown => labels.some_down.as_str(),
            LinesStatus::NoneRegistered => labels.none_registered.as_str(),
            LinesStatus::NoLines => labels.no_lines.as_str(),
        }];
        if self.status.dnd {
            lines.push(labels.dnd_on.as_str());
        }
        if self.status.forwarding {
            lines.push(labels.forwarding.as_str());
        }
        if self.status.missed_calls > 0 {
            lines.push(labels.missed_calls.as_str());
        }
        if self.status.new_voicemail > 0 {
            lines.push(labels.new_voicemail.as_str());
        }
        if self.status.unread_messages > 0 {
            lines.push(labels.unread_messages.as_str());
        }
        lines.retain(|line| !line.is_empty());
        lines.join("\n")
    }
}

fn badge_of(status: &TrayStatus) -> Badge {
    if status.dnd {
        return Badge::DoNotDisturb;
    }
    match status.lines {
        LinesStatus::AllRegistered => Badge::Online,
        LinesStatus::SomeDown => Badge::Degraded,
        LinesStatus::NoneRegistered | LinesStatus::NoLines => Badge::Offline,
    }
}

/// Missed calls, new voicemail or unread messages: the icon gets its dot and the item asks for
/// attention.
fn needs_attention(status: &TrayStatus) -> bool {
    status.missed_calls > 0 || status.new_voicemail > 0 || status.unread_messages > 0
}

fn pixmaps_for(status: &TrayStatus) -> Vec<ksni::Icon> {
    icon::draw_all(badge_of(status), needs_attention(status), status.forwarding)
        .into_iter()
        .map(|pixmap| ksni::Icon {
            width: i32::from(pixmap.size),
            height: i32::from(pixmap.size),
            data: pixmap.argb,
        })
        .collect()
}

impl ksni::Tray for ParlaTray {
    fn id(&self) -> String {
        ITEM_ID.to_string()
    }

    fn category(&self) -> ksni::Category {
        ksni::Category::Communications
    }

    fn title(&self) -> String {
        self.status.labels.title.clone()
    }

    fn status(&self) -> ksni::Status {
        if needs_attention(&self.status) {
            ksni::Status::NeedsAttention
        } else {
            ksni::Status::Active
        }
    }

    fn icon_pixmap(&self) -> Vec<ksni::Icon> {
        self.pixmaps.clone()
    }

    // Panels show the attention icon while the status is NeedsAttention; it is the same
    // drawing (the missed-calls dot is already on it) so that none falls back to a blank.
    fn attention_icon_pixmap(&self) -> Vec<ksni::Icon> {
        self.pixmaps.clone()
    }

    fn tool_tip(&self) -> ksni::ToolTip {
        ksni::ToolTip {
            title: self.status.labels.title.clone(),
            description: self.description(),
            ..Default::default()
        }
    }

    fn activate(&mut self, _x: i32, _y: i32) {
        self.toggle_window();
    }

    fn menu(&self) -> Vec<ksni::MenuItem<Self>> {
        use ksni::menu::{CheckmarkItem, StandardItem};
        let labels = &self.status.labels;
        let show_hide = if self.status.window_visible {
            &labels.hide_window
        } else {
            &labels.show_window
        };
        vec![
            StandardItem {
                label: show_hide.clone(),
                activate: Box::new(|tray: &mut Self| tray.toggle_window()),
                ..Default::default()
            }
            .into(),
            CheckmarkItem {
                label: labels.do_not_disturb.clone(),
                checked: self.status.dnd,
                activate: Box::new(|tray: &mut Self| tray.toggle_dnd()),
                ..Default::default()
            }
            .into(),
            ksni::MenuItem::Separator,
            StandardItem {
                label: labels.quit.clone(),
                icon_name: "application-exit".into(),
                activate: Box::new(|tray: &mut Self| tray.send(TrayAction::Quit)),
                ..Default::default()
            }
            .into(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desktop::tray::TrayLabels;
    use ksni::Tray;

    fn status() -> TrayStatus {
        TrayStatus {
            lines: LinesStatus::SomeDown,
            dnd: false,
            missed_calls: 0,
            new_voicemail: 0,
            unread_messages: 0,
            window_visible: true,
            forwarding: false,
            labels: TrayLabels::default(),
        }
    }

    #[test]
    fn tooltip_lists_the_lines_then_dnd_then_missed_calls() {
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let mut tray = ParlaTray::new(status(), tx);
        assert_eq!(tray.description(), "Some lines are not connected");
        let mut next = status();
        next.dnd = true;
        next.missed_calls = 2;
        next.labels.missed_calls = "2 missed calls".into();
        tray.set_status(next);
        assert_eq!(
            tray.description(),
            "Some lines are not connected\nDo not disturb is on\n2 missed calls"
        );
        assert_eq!(tray.status(), ksni::Status::NeedsAttention);
    }

    #[test]
    fn new_voicemail_shows_like_missed_calls() {
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let mut tray = ParlaTray::new(status(), tx);
        let plain = tray.icon_pixmap();
        let mut next = status();
        next.new_voicemail = 2;
        next.labels.new_voicemail = "2 new voicemail messages".into();
        tray.set_status(next);
        assert_eq!(
            tray.description(),
            "Some lines are not connected\n2 new voicemail messages"
        );
        assert_eq!(tray.status(), ksni::Status::NeedsAttention);
        assert_ne!(tray.icon_pixmap()[0].data, plain[0].data, "the dot");
    }

    #[test]
    fn forwarding_shows_in_the_tooltip_and_on_the_icon() {
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let mut tray = ParlaTray::new(status(), tx);
        let plain = tray.icon_pixmap();
        let mut next = status();
        next.forwarding = true;
        next.labels.forwarding = "Calls forwarded to 0612 345 678".into();
        tray.set_status(next);
        assert_eq!(
            tray.description(),
            "Some lines are not connected\nCalls forwarded to 0612 345 678"
        );
        assert_ne!(tray.icon_pixmap()[0].data, plain[0].data, "the arrow");
        assert_eq!(tray.status(), ksni::Status::Active, "no attention asked");
        tray.set_status(status());
        assert_eq!(tray.icon_pixmap()[0].data, plain[0].data, "gone when off");
    }

    #[test]
    fn unread_messages_show_like_missed_calls() {
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let mut tray = ParlaTray::new(status(), tx);
        let plain = tray.icon_pixmap();
        let mut next = status();
        next.unread_messages = 3;
        next.labels.unread_messages = "3 unread messages".into();
        tray.set_status(next);
        assert_eq!(
            tray.description(),
            "Some lines are not connected\n3 unread messages"
        );
        assert_eq!(tray.status(), ksni::Status::NeedsAttention);
        assert_ne!(tray.icon_pixmap()[0].data, plain[0].data, "the dot");
    }

    #[test]
    fn pixmaps_follow_the_badge_and_the_missed_dot() {
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let mut tray = ParlaTray::new(status(), tx);
        let degraded = tray.icon_pixmap();
        assert_eq!(degraded.len(), icon::SIZES.len());
        let mut dnd = status();
        dnd.dnd = true;
        tray.set_status(dnd.clone());
        let red = tray.icon_pixmap();
        assert_ne!(red[0].data, degraded[0].data);
        dnd.missed_calls = 1;
        tray.set_status(dnd);
        assert_ne!(tray.icon_pixmap()[0].data, red[0].data);
        assert_eq!(
            tray.attention_icon_pixmap()[0].data,
            tray.icon_pixmap()[0].data
        );
    }

    #[test]
    fn menu_clicks_become_actions_and_flip_local_state() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut tray = ParlaTray::new(status(), tx);
        tray.toggle_dnd();
        tray.toggle_dnd();
        tray.activate(0, 0);
        tray.send(TrayAction::Quit);
        let mut got = Vec::new();
        while let Ok(TrayNotice::Action(action)) = rx.try_recv() {
            got.push(action);
        }
        assert_eq!(
            got,
            [
                TrayAction::SetDnd(true),
                TrayAction::SetDnd(false),
                TrayAction::ToggleWindow,
                TrayAction::Quit
            ]
        );
        assert!(!tray.status.window_visible);
    }
}
