//! The window's side of a line's call features: forwarding (shown at a glance: a banner under
//! the top bar and the tray, because a forgotten forward loses calls), who a call is from
//! (identities, anonymous), the line's feature codes, and calls the line forwarded.

use super::{App, Message, Tab};
use crate::screen::dialer::{self, CallAs, LineFeatures};
use crate::screen::settings::{self, forwarding, ForwardingChange};
use crate::style::{size, space, Tone};
use crate::widget::{action, icon, icon_button, tip, Glyph};
use iced::widget::{button, column, container, row, text, tooltip};
use iced::{Alignment, Element, Length, Task};
use parla_core::api::{CallState, ErrorKind, RefusalReason};
use parla_core::config::ForwardingConfig;
use parla_core::{AccountId, Command, Event};
use std::collections::BTreeMap;

/// What the window keeps of the lines' call features.
#[derive(Debug, Default)]
pub(super) struct Features {
    /// Per line, the forwarding the engine last reported (what a refused change goes back to).
    reported: BTreeMap<String, ForwardingConfig>,
    /// The last call forwarded without ringing here: who called, and where it went.
    pub(super) last_forwarded: Option<(String, String)>,
}

#[derive(Debug, Clone)]
pub enum FeaturesMsg {
    /// Open the line's forwarding settings.
    OpenForwarding(String),
    /// Turn every forward of the line off.
    TurnOff(String),
    /// Put away the note of the last forwarded call.
    DismissForwarded,
}

impl App {
    /// `forwarding` events and calls refused as `forwarded`.
    pub(super) fn on_call_features_event(&mut self, event: &Event) {
        match event {
            // `active` is the forwarding's own `is_active`: the config, kept in step here,
            // says it.
            Event::Forwarding {
                account,
                forwarding,
                ..
            } => {
                let id = account.as_str();
                self.features
                    .reported
                    .insert(id.to_string(), forwarding.clone());
                // A change made elsewhere (the control socket, a headless client) is kept.
                let changed = match self.config.account_mut(id) {
                    Some(line) if line.forwarding != *forwarding => {
                        line.forwarding = forwarding.clone();
                        true
                    }
                    _ => false,
                };
                if changed {
                    self.settings.forwarding_drafts.remove(id);
                    self.save();
                }
            }
            // The engine kept its forwarding (a target it cannot read, a missing provider
            // code): the settings go back to what it has, the error says why.
            Event::Error {
                kind: ErrorKind::ForwardingFailed,
                account: Some(account),
                ..
            } => {
                let id = account.as_str();
                let Some(kept) = self.features.reported.get(id).cloned() else {
                    return;
                };
                if let Some(line) = self.config.account_mut(id) {
                    if line.forwarding != kept {
                        line.forwarding = kept;
                        self.save();
                    }
                }
            }
            Event::CallRefused {
                from,
                name,
                reason: RefusalReason::Forwarded,
                forwarded_to,
                ..
            } => {
                // Not missed by the person (it went where they asked): a quiet note, no
                // missed-call notification.
                let who = name
                    .clone()
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| super::calls::display_number(from));
                let to = forwarded_to
                    .as_deref()
                    .map(super::calls::display_number)
                    .unwrap_or_default();
                self.features.last_forwarded = Some((who, to));
                if self.tab == Tab::History {
                    self.refresh_lists();
                }
            }
            _ => {}
        }
    }

    pub(super) fn on_features_msg(&mut self, msg: FeaturesMsg) -> Task<Message> {
        match msg {
            FeaturesMsg::OpenForwarding(id) => {
                let open = self.update(Message::Tab(Tab::Settings));
                let _ = self.on_settings(settings::Msg::Section(settings::Section::Lines));
                let _ = self.on_settings(settings::Msg::OpenLine(Some(id)));
                open
            }
            FeaturesMsg::TurnOff(id) => {
                let Some(line) = self.config.account(&id) else {
                    return Task::none();
                };
                let off = forwarding::turned_off(&line.forwarding);
                self.on_settings(settings::Msg::Forwarding(id, ForwardingChange::Save(off)))
            }
            FeaturesMsg::DismissForwarded => {
                self.features.last_forwarded = None;
                Task::none()
            }
        }
    }

    /// The lines whose calls are forwarded, each with what the banner says of it.
    pub(super) fn forwarded_lines(&self) -> Vec<(String, String)> {
        let lines = self.config.accounts.iter().filter(|a| a.enabled);
        // The embedded Local line is always there: it counts only when it forwards.
        let named = lines.clone().filter(|a| a.id != super::LOCAL_LINE).count() > 1;
        lines
            .filter(|a| a.forwarding.is_active())
            .map(|a| {
                let says = forwarding_summary(&self.i18n, &a.forwarding);
                let says = if named || a.id == super::LOCAL_LINE {
                    format!("{}: {says}", self.line_label(&a.id))
                } else {
                    says
                };
                (a.id.clone(), says)
            })
            .collect()
    }

    /// The banner under the top bar: each forwarded line with a way to its settings and a
    /// quick "Turn off"; the last call forwarded, quietly. Nothing when neither applies.
    pub(super) fn forwarding_banner(&self) -> Option<Element<'_, Message>> {
        let lines = self.forwarded_lines();
        if lines.is_empty() && self.features.last_forwarded.is_none() {
            return None;
        }
        let compact = self.config.app.compact;
        let mut banner = column![].spacing(space::XS);
        for (id, says) in lines {
            // The words are the way to the settings; "Turn off" beside them is the quick way out.
            let words = text(says)
                .size(if compact { size::CAPTION } else { size::BODY })
                .width(Length::Fill)
                .wrapping(text::Wrapping::Word);
            // The compact window keeps its room for the number.
            let label = if compact {
                row![words]
            } else {
                row![icon(Glyph::Transfer, size::ICON), words]
            };
            let open = button(label.spacing(space::S).align_y(Alignment::Center))
                .padding([space::XS, 0.0])
                .width(Length::Fill)
                .style(button::text)
                .on_press(Message::Features(FeaturesMsg::OpenForwarding(id.clone())));
            let open = tip(
                open,
                self.i18n.tr("forwarding-banner-settings"),
                tooltip::Position::Bottom,
            );
            let off_label = self.i18n.tr("forwarding-banner-off");
            let off = Message::Features(FeaturesMsg::TurnOff(id));
            let off: Element<'_, Message> = if compact {
                icon_button(Glyph::Close, off_label, Tone::Neutral, Some(off))
            } else {
                action(Glyph::Close, off_label, Tone::Neutral)
                    .padding([space::XS, space::S])
                    .on_press(off)
                    .into()
            };
            banner = banner.push(row![open, off].spacing(space::S).align_y(Alignment::Center));
        }
        if let Some((who, to)) = &self.features.last_forwarded {
            let says = if to.is_empty() {
                self.i18n
                    .tr_args("forwarding-last-call-nowhere", &[("who", who)])
            } else {
                self.i18n
                    .tr_args("forwarding-last-call", &[("who", who), ("to", to)])
            };
            banner = banner.push(
                row![
                    text(says)
                        .size(size::CAPTION)
                        .style(text::secondary)
                        .width(Length::Fill)
                        .wrapping(text::Wrapping::WordOrGlyph),
                    icon_button(
                        Glyph::Close,
                        self.i18n.tr("forwarding-last-call-dismiss"),
                        Tone::Quiet,
                        Some(Message::Features(FeaturesMsg::DismissForwarded)),
                    ),
                ]
                .spacing(space::S)
                .align_y(Alignment::Center),
            );
        }
        Some(
            container(
                container(banner)
                    .padding([space::XS, if compact { space::S } else { space::M }])
                    .width(Length::Fill)
                    .style(crate::style::banner),
            )
            .padding(iced::Padding {
                top: 0.0,
                bottom: space::S,
                left: if compact { space::S } else { space::M },
                right: if compact { space::S } else { space::M },
            })
            .into(),
        )
    }

    /// The tray's line about forwarding (empty when nothing is forwarded).
    pub(super) fn forwarding_tray_text(&self) -> String {
        self.forwarded_lines()
            .into_iter()
            .map(|(_, says)| says)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// What the dialer offers for the line it calls from (`None`: no line).
    pub(super) fn dialer_features(&self) -> Option<LineFeatures<'_>> {
        let id = self.dialer.line.clone().or_else(|| self.default_line())?;
        let line = self.config.account(id.as_str()).filter(|a| a.enabled)?;
        // The Local line has no provider: no identities, no codes, nobody to hide from.
        if !line.register {
            return None;
        }
        Some(LineFeatures {
            user: &line.username,
            identities: &line.identities,
            anonymous: line.anonymous,
            codes: &line.feature_codes,
            in_call: self.calls.iter().any(|c| c.is_live()),
        })
    }

    pub(super) fn on_dialer(&mut self, msg: dialer::Msg) -> Task<Message> {
        match self.dialer.update(msg) {
            dialer::Outcome::Dial {
                account,
                to,
                call_as,
            } => self.dial_as(account, to, call_as),
            dialer::Outcome::Voicemail => self.call_voicemail(),
            dialer::Outcome::Code {
                account,
                name,
                argument,
                in_call,
            } => {
                let call = in_call
                    .then(|| {
                        self.focused
                            .filter(|id| self.calls.get(*id).is_some_and(|c| c.is_live()))
                            .or_else(|| {
                                self.calls
                                    .iter()
                                    .find(|c| c.state == CallState::Connected)
                                    .map(|c| c.id)
                            })
                    })
                    .flatten();
                self.send(Command::FeatureCode {
                    account: account.or_else(|| self.default_line()),
                    name,
                    argument,
                    call,
                });
            }
            dialer::Outcome::None => {}
        }
        Task::none()
    }

    /// Dials `to` from `account` as picked in the "Call as" menu.
    pub(super) fn dial_as(
        &mut self,
        account: Option<AccountId>,
        to: String,
        call_as: Option<CallAs>,
    ) {
        let account = account.or_else(|| self.default_line());
        let (identity, anonymous) = match call_as {
            Some(CallAs::Identity(user)) => (Some(user), false),
            Some(CallAs::Anonymous) => (None, true),
            Some(CallAs::Own) | None => (None, false),
        };
        self.tab = Tab::Phone;
        self.send(Command::Dial {
            account,
            to,
            identity,
            anonymous,
        });
    }
}

/// What the banner says of a line's forwarding: "Calls forwarded to 0612 345 678", or the
/// busy and no-answer forwards.
pub(super) fn forwarding_summary(i18n: &crate::i18n::I18n, f: &ForwardingConfig) -> String {
    if let Some(target) = f.always_target() {
        return i18n.tr_args("forwarding-banner-always", &[("target", target)]);
    }
    let mut parts = Vec::new();
    if let Some(target) = f.busy_target() {
        parts.push(i18n.tr_args("forwarding-banner-busy", &[("target", target)]));
    }
    if let Some(target) = f.no_answer_target() {
        let seconds = f.no_answer_after().as_secs().to_string();
        parts.push(i18n.tr_args(
            "forwarding-banner-no-answer",
            &[("target", target), ("seconds", &seconds)],
        ));
    }
    if parts.is_empty() {
        // The engine says it forwards but names no target (the provider's own setting).
        return i18n.tr("forwarding-banner-on");
    }
    parts.join(" · ")
}
