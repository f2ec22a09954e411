//! The desktop app: an iced daemon (it lives on in the tray when its window is closed) that sends
//! `Command`s to the engine and renders its `Event`s. The GUI never sees a SIP or audio type.

mod answering_machine;
mod call_control;
mod call_features;
pub mod calls;
mod chat_tab;
mod conference;
mod desktop_glue;
pub mod engine_link;
pub mod errors;
mod frame_probe;
mod keys;
mod lamps;
mod lists;
mod passwords;
mod persist;
mod settings_flow;
mod shell;
mod sign_in_flow;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_store;
mod transfer_flow;
mod view;
mod voicemail;
mod voicemail_tab;
mod windows;

use crate::desktop::instance::ControlServer;
use crate::desktop::notify::{CallResponse, MessageResponse, Notifier, NotifyAction};
use crate::desktop::tray::TrayHandle;
use crate::i18n::{I18n, Language};
use crate::screen::{call, chat, contacts, dialer, history, popup, settings, sign_in};
use calls::{CallChange, Calls};
use desktop_glue::{Notifications, TrayEvent};
use engine_link::EngineLink;
use iced::{keyboard, window, Subscription, Task};
use parla_core::api::{CallState, RegistrationState};
use parla_core::{AccountId, CallId, Command, Config, Event};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Phone,
    Contacts,
    History,
    Chat,
    Voicemail,
    Settings,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LineStatus {
    pub state: RegistrationState,
    pub code: Option<u16>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Message {
    Engine(Event),
    SignIn(sign_in::Msg),
    Dialer(dialer::Msg),
    Call(CallId, call::Action),
    Popup(CallId, popup::Choice),
    Settings(settings::Msg),
    Contacts(contacts::Msg),
    History(history::Msg),
    Voicemail(crate::screen::voicemail::Msg),
    Chat(chat::Msg),
    /// The busy lamps panel and our own status.
    Lamps(crate::screen::lamps::Msg),
    /// The forwarding banner's buttons.
    Features(call_features::FeaturesMsg),
    Tab(Tab),
    Key(keyboard::Event),
    Tick(Instant),
    CloseRequested(window::Id),
    /// A command from the control socket (a second launch, a `tel:` link).
    Control(Command),
    PasswordSaved(String, persist::PasswordOutcome),
    KeepPasswordInFile(String, bool),
    DismissNotice,
    Tray(TrayEvent),
    Notification(NotifyAction),
    /// What the person did with a text message's notification (`None`: it was not shown),
    /// about the conversation with this address.
    ChatNotification(String, Option<MessageResponse>),
    /// Showing a notification failed (no notification service): said once, calls still ring.
    NotificationFailed(Option<String>),
    /// The settings file could not be written.
    SaveFailed(String),
    /// The main window moved or was resized (to be remembered when it is hidden or closed).
    WindowMoved(window::Id, iced::Point),
    WindowResized(window::Id, iced::Size),
    /// A window took (`true`) or lost the keyboard focus.
    WindowFocus(window::Id, bool),
    /// A file was dropped on a window: a CSV or vCard file on the main one is imported.
    FileDropped(window::Id, PathBuf),
    /// The desktop's light/dark preference, at start and when it changes.
    DesktopTheme(iced::theme::Mode),
    /// Something done off the window's thread has something to say (`None`: nothing).
    Notice(Option<String>),
    /// A frame was drawn (only with the frame probe on).
    Frame(Instant),
    Exited,
}

/// A password the keyring could not take, waiting for the person to say whether the settings
/// file may keep it.
#[derive(Debug, Clone, PartialEq)]
pub struct PasswordQuestion {
    pub account: String,
    pub password: String,
    pub why: String,
}

pub struct App {
    profile: PathBuf,
    config: Config,
    i18n: I18n,
    engine: EngineLink,
    sign_in: Option<sign_in::SignIn>,
    tab: Tab,
    lines: BTreeMap<AccountId, LineStatus>,
    calls: Calls,
    focused: Option<CallId>,
    keypad_open: bool,
    /// The call screen's transfer field, while it is open: where to send the focused call.
    transfer_to: Option<String>,
    /// The call screen's add call field, while it is open: another call from the same line.
    add_call_to: Option<String>,
    /// A transfer waiting on its consult call (see transfer_flow.rs).
    consult: Option<call::Consult>,
    /// Contacts matching the transfer or add call field.
    call_suggestions: transfer_flow::Suggestions,
    dialer: dialer::Dialer,
    settings: settings::Settings,
    /// Per call, the output device picked on the call screen.
    call_outputs: BTreeMap<CallId, String>,
    now: Instant,
    main_window: Option<window::Id>,
    main_visible: bool,
    /// The main window has the keyboard focus (a message to the open conversation is read).
    main_focused: bool,
    popup: Option<(window::Id, CallId)>,
    missed: u32,
    /// Each line's mailbox as last reported (message waiting).
    mailboxes: voicemail::Mailboxes,
    /// The last "new voicemail from" notification asked for (answering_machine.rs).
    message_notice: Option<String>,
    /// The last text message notification asked for: the conversation and who it names.
    chat_notice: Option<(String, String)>,
    dnd: bool,
    /// A link to call once the engine is up.
    pending_dial: Option<String>,
    /// Plain-language notice at the top of the window.
    notice: Option<String>,
    password_question: Option<PasswordQuestion>,
    tray: Option<TrayHandle>,
    notifier: Notifier,
    notifications: Notifications,
    notification_trouble_told: bool,
    /// The control socket: its clients see every engine event.
    control: Option<ControlServer>,
    /// Writes config.toml off the window's thread.
    config_writer: persist::ConfigWriter,
    /// The `request` ids of the window's questions to the engine (contacts, history).
    requests: lists::Requests,
    probe: Option<frame_probe::FrameProbe>,
    /// The desktop's colour-scheme preference (followed unless `[app] theme` fixes one).
    desktop_theme: iced::theme::Mode,
    /// The main window's size and place since it last changed; kept in the settings when the
    /// window is hidden or the app quits.
    window_geometry: Option<parla_core::config::WindowGeometry>,
    contacts: contacts::Contacts,
    history: history::History,
    /// The Voicemail tab: the answering machine's messages and the player.
    voicemail_list: crate::screen::voicemail::Voicemail,
    /// The Chat tab: the conversations and the thread open.
    chat: chat::Chat,
    /// Busy lamps and presence (lamps.rs).
    lamps: lamps::LampsState,
    /// Forwarding at a glance and the last forwarded call (call_features.rs).
    features: call_features::Features,
    quitting: bool,
}

/// Options from the command line that shape the first moments.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    pub dial: Option<String>,
    pub minimised: bool,
}

pub fn run(
    config: Config,
    profile: PathBuf,
    launch: Launch,
    control: Option<ControlServer>,
) -> anyhow::Result<()> {
    let control = Arc::new(Mutex::new(control));
    let boot = move || {
        let config = with_local_line(config.clone());
        let control = control.lock().ok().and_then(|mut c| c.take());
        match EngineLink::start(config.clone(), persist::engine_keyring(&profile), &profile) {
            Ok((engine, events)) => {
                let (mut app, task) = App::new(config, profile.clone(), engine, launch.clone());
                let commands = match control {
                    Some(mut server) => {
                        let task = desktop_glue::control_commands(&mut server);
                        app.control = Some(server);
                        task
                    }
                    None => Task::none(),
                };
                let task = Task::batch([task, commands]);
                (
                    app,
                    Task::batch([
                        task,
                        Task::run(engine_link::events(events), Message::Engine),
                    ]),
                )
            }
            Err(e) => {
                eprintln!("parla: the engine could not start: {e}");
                std::process::exit(1);
            }
        }
    };
    iced::daemon(boot, App::update, App::view)
        .title(App::title)
        .theme(App::theme)
        .scale_factor(App::scale_factor)
        .font(crate::widget::icon::FONT_BYTES)
        .subscription(App::subscription)
        .run()
        .map_err(|e| anyhow::anyhow!("the window could not open: {e}"))
}

pub use parla_core::config::LOCAL_LINE;

/// The settings with the embedded Local line, named after this user and machine.
pub fn with_local_line(config: Config) -> Config {
    let user = std::env::var("USER").ok();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").ok();
    config.with_local_line(user.as_deref(), host.as_deref())
}

impl App {
    pub fn new(
        config: Config,
        profile: PathBuf,
        engine: EngineLink,
        launch: Launch,
    ) -> (App, Task<Message>) {
        let language = Language::choose(config.app.language.as_deref());
        let first_run = !config.accounts.iter().any(|a| a.register);
        let show = !(launch.minimised || config.app.start_minimised);
        let (main_id, open) = window::open(windows::main_settings(
            true,
            config.app.window,
            config.app.compact,
        ));
        let dnd = config.app.do_not_disturb;
        let (notifier, notification_actions) = desktop_glue::notifier();
        let (config_writer, save_failures) = persist::ConfigWriter::start(profile.clone());
        let app = App {
            profile,
            i18n: I18n::new(language),
            engine,
            sign_in: first_run.then(|| sign_in::SignIn::new(true)),
            tab: Tab::Phone,
            lines: BTreeMap::new(),
            calls: Calls::default(),
            focused: None,
            keypad_open: false,
            transfer_to: None,
            add_call_to: None,
            consult: None,
            call_suggestions: transfer_flow::Suggestions::default(),
            dialer: dialer::Dialer::default(),
            settings: settings::Settings::default(),
            call_outputs: BTreeMap::new(),
            now: Instant::now(),
            main_window: Some(main_id),
            main_visible: true,
            main_focused: false,
            popup: None,
            missed: 0,
            mailboxes: voicemail::Mailboxes::default(),
            message_notice: None,
            chat_notice: None,
            dnd,
            pending_dial: launch.dial,
            notice: None,
            password_question: None,
            tray: None,
            notifier,
            notifications: Notifications::default(),
            notification_trouble_told: false,
            control: None,
            config_writer,
            requests: lists::Requests::default(),
            probe: frame_probe::FrameProbe::from_env(),
            desktop_theme: iced::theme::Mode::None,
            window_geometry: None,
            contacts: contacts::Contacts::default(),
            history: history::History::default(),
            voicemail_list: crate::screen::voicemail::Voicemail::default(),
            chat: chat::Chat::default(),
            lamps: lamps::LampsState::default(),
            features: call_features::Features::default(),
            quitting: false,
            config,
        };
        let mut tasks = vec![
            open.discard(),
            notification_actions,
            Task::run(engine_link::events(save_failures), Message::SaveFailed),
            iced::system::theme().map(Message::DesktopTheme),
        ];
        if !show {
            // Without a tray to come back from, a hidden window would leave no way in.
            tasks.push(window::set_mode(main_id, window::Mode::Hidden));
        }
        let mut app = app;
        app.main_visible = show;
        if dnd {
            app.send(Command::SetDoNotDisturb { on: true });
        }
        tasks.push(Task::run(
            desktop_glue::start_tray(app.tray_status()),
            Message::Tray,
        ));
        (app, Task::batch(tasks))
    }

    pub fn title(&self, window: window::Id) -> String {
        if self.popup.map(|(id, _)| id) == Some(window) {
            return self.i18n.tr("popup-title");
        }
        let place = match self.tab {
            Tab::Phone => None,
            Tab::Contacts => Some("tab-contacts"),
            Tab::History => Some("tab-history"),
            Tab::Chat => Some("tab-chat"),
            Tab::Voicemail => Some("tab-voicemail"),
            Tab::Settings => Some("tab-settings"),
        };
        match (self.focused.and_then(|id| self.calls.get(id)), place) {
            (Some(call), None) => format!("{} – Parla", call.title()),
            (_, Some(place)) if self.sign_in.is_none() => {
                format!("{} – Parla", self.i18n.tr(place))
            }
            _ => "Parla".into(),
        }
    }

    /// `[app] scale`, on top of the desktop's own factor (which winit applies by itself).
    pub fn scale_factor(&self, _window: window::Id) -> f32 {
        crate::style::user_scale(self.config.app.scale)
    }

    /// Parla's palette, light or dark (see theme.rs).
    pub fn theme(&self, _window: window::Id) -> iced::Theme {
        crate::theme::theme(self.config.app.theme, self.desktop_theme)
    }

    pub fn subscription(&self) -> Subscription<Message> {
        let mut subscriptions = vec![
            keyboard::listen().map(Message::Key),
            window::close_requests().map(Message::CloseRequested),
            iced::system::theme_changes().map(Message::DesktopTheme),
            iced::event::listen_with(|event, _, id| match event {
                iced::Event::Window(window::Event::Moved(at)) => Some(Message::WindowMoved(id, at)),
                iced::Event::Window(window::Event::Resized(size)) => {
                    Some(Message::WindowResized(id, size))
                }
                iced::Event::Window(window::Event::FileDropped(path)) => {
                    Some(Message::FileDropped(id, path))
                }
                iced::Event::Window(window::Event::Focused) => Some(Message::WindowFocus(id, true)),
                iced::Event::Window(window::Event::Unfocused) => {
                    Some(Message::WindowFocus(id, false))
                }
                _ => None,
            }),
        ];
        // The call timer ticks only while a call is up: an idle app wakes for nothing.
        if self.probe.is_some() {
            subscriptions.push(window::frames().map(Message::Frame));
        }
        if self.calls.iter().any(|c| c.connected_at.is_some()) {
            subscriptions.push(iced::time::every(Duration::from_secs(1)).map(Message::Tick));
        }
        Subscription::batch(subscriptions)
    }

    fn send(&mut self, command: Command) {
        if let Err(e) = self.engine.send(command) {
            self.notice = Some(e);
        }
    }

    fn default_line(&self) -> Option<AccountId> {
        self.config
            .default_account()
            .map(|a| AccountId::new(a.id.clone()))
    }

    pub fn update(&mut self, message: Message) -> Task<Message> {
        let task = self.handle(message);
        self.refresh_tray();
        task
    }

    fn handle(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::Engine(event) => self.on_event(event),
            Message::SignIn(msg) => self.on_sign_in(msg),
            Message::Dialer(msg) => self.on_dialer(msg),
            Message::Features(msg) => self.on_features_msg(msg),
            Message::Call(call, action) => self.on_call_action(call, action),
            Message::Popup(call, choice) => self.on_call_action(
                call,
                match choice {
                    popup::Choice::Answer => call::Action::Answer,
                    popup::Choice::Decline => call::Action::Decline,
                },
            ),
            Message::Settings(msg) => self.on_settings(msg),
            Message::Tab(tab) => {
                self.tab = tab;
                if tab == Tab::Settings && self.settings.inputs.is_empty() {
                    self.send(Command::ListDevices);
                }
                self.refresh_lists();
                Task::none()
            }
            Message::Contacts(msg) => {
                let panel_was_open = self.contacts.import.is_some();
                let requests = &mut self.requests;
                match self
                    .contacts
                    .update(msg, &self.i18n, &mut || requests.next())
                {
                    contacts::Outcome::Dial(to) => self.dial(None, to),
                    contacts::Outcome::Send(commands) => self.send_all(commands),
                    contacts::Outcome::Message { to, name } => {
                        return self.open_chat(chat::Target {
                            to,
                            name,
                            account: None,
                        })
                    }
                    contacts::Outcome::Watch(entry) => return self.watch_on_default_line(entry),
                    contacts::Outcome::None => {}
                }
                // The import panel opens with its path field ready for typing.
                if !panel_was_open && self.contacts.import.is_some() {
                    return iced::widget::operation::focus("contacts-import-path");
                }
                Task::none()
            }
            Message::History(msg) => {
                let requests = &mut self.requests;
                match self.history.update(msg, &mut || requests.next()) {
                    history::Outcome::Dial(to) => self.dial(None, to),
                    history::Outcome::Send(commands) => self.send_all(commands),
                    history::Outcome::OpenVoicemail(id) => self.open_voicemail(id),
                    history::Outcome::OpenRecording(path) => return self.open_recording(path),
                }
                Task::none()
            }
            Message::Voicemail(msg) => self.on_voicemail_msg(msg),
            Message::Chat(msg) => self.on_chat_msg(msg),
            Message::Lamps(msg) => self.on_lamps_msg(msg),
            Message::Key(event) => match keys::shortcut(&event) {
                Some(shortcut) => self.on_shortcut(shortcut),
                None => Task::none(),
            },
            Message::Tick(now) => {
                self.now = now;
                Task::none()
            }
            Message::CloseRequested(id) => self.on_close_requested(id),
            Message::Control(command) => self.on_control(command),
            Message::PasswordSaved(account, outcome) => {
                self.on_password_saved(account, outcome);
                Task::none()
            }
            Message::KeepPasswordInFile(account, keep) => {
                self.on_keep_password_in_file(account, keep);
                Task::none()
            }
            Message::Frame(at) => {
                if self.probe.as_mut().is_some_and(|probe| probe.frame(at)) {
                    self.send(Command::SyncDirectories {
                        account: None,
                        request: None,
                    });
                }
                Task::none()
            }
            Message::WindowMoved(id, at) => {
                self.on_window_moved(id, at);
                Task::none()
            }
            Message::WindowResized(id, size) => {
                self.on_window_resized(id, size);
                Task::none()
            }
            Message::WindowFocus(id, focused) => {
                self.on_window_focus(id, focused);
                Task::none()
            }
            Message::FileDropped(id, path) => {
                self.on_file_dropped(id, path);
                Task::none()
            }
            Message::DesktopTheme(mode) => {
                self.desktop_theme = mode;
                Task::none()
            }
            Message::Notice(notice) => {
                if notice.is_some() {
                    self.notice = notice;
                }
                Task::none()
            }
            Message::SaveFailed(error) => {
                self.on_save_failed(error);
                Task::none()
            }
            Message::DismissNotice => {
                self.notice = None;
                Task::none()
            }
            Message::Tray(event) => self.on_tray(event),
            Message::Notification(NotifyAction { call, action }) => match action {
                CallResponse::Answer => self.on_call_action(call, call::Action::Answer),
                CallResponse::Decline => self.on_call_action(call, call::Action::Decline),
                CallResponse::Opened => self.show_main(),
                CallResponse::Dismissed => Task::none(),
            },
            Message::ChatNotification(peer, response) => self.on_chat_notification(peer, response),
            Message::NotificationFailed(None) => Task::none(),
            Message::NotificationFailed(Some(why)) => {
                if !self.notification_trouble_told {
                    self.notification_trouble_told = true;
                    tracing::info!(%why, "no desktop notification for incoming calls");
                }
                Task::none()
            }
            Message::Exited => {
                // The last settings (the window's place) are on disk before the process ends.
                self.config_writer.flush();
                iced::exit()
            }
        }
    }

    fn on_event(&mut self, event: Event) -> Task<Message> {
        if let (
            Some(probe),
            Event::DirectorySync {
                state, contacts, ..
            },
        ) = (self.probe.as_mut(), &event)
        {
            probe.note(&format!("directory_sync {state:?} {contacts:?}"));
        }
        if let Some(control) = &self.control {
            control.broadcast(&event);
        }
        let mut task = Task::none();
        match &event {
            Event::Ready { .. } => {
                if let Some(target) = self.pending_dial.take() {
                    self.dial(None, target);
                }
            }
            Event::Registration {
                account,
                state,
                code,
                reason,
                ..
            } => {
                self.lines.insert(
                    account.clone(),
                    LineStatus {
                        state: *state,
                        code: *code,
                        reason: reason.clone(),
                    },
                );
                task = self.on_registration_for_sign_in(account, *state, *code, reason.as_deref());
            }
            Event::Devices {
                inputs,
                outputs,
                labels,
            } => {
                self.settings.inputs = inputs.clone();
                self.settings.outputs = outputs.clone();
                self.settings.device_labels = labels.clone();
            }
            Event::Level { input } => self.settings.level = input.clamp(0.0, 1.0),
            Event::Reachable { account, uris } => {
                self.settings
                    .reachable
                    .insert(account.to_string(), uris.clone());
            }
            Event::EchoTest { state, reason } => {
                self.settings.echo_running = state == "running";
                if let Some(reason) = reason {
                    self.notice = Some(reason.clone());
                }
            }
            Event::Device { message, .. } => self.notice = Some(message.clone()),
            Event::Voicemail {
                account,
                waiting,
                new,
                old,
                unavailable,
            } => self.on_voicemail(
                account,
                voicemail::Mailbox {
                    waiting: *waiting,
                    new: *new,
                    old: *old,
                    unavailable: unavailable.clone(),
                },
            ),
            // A failed transfer comes with an `error` (transfer_failed) that says so; one that
            // succeeds ends the call with reason `transferred`.
            Event::Transfer { .. } => {}
            Event::DiagnosticsSaved { path, .. } => {
                self.notice = Some(
                    self.i18n
                        .tr_args("notice-diagnostics-saved", &[("path", path)]),
                );
            }
            // Errors answering a request belong to the screen that asked (lists.rs).
            Event::Error {
                kind,
                message,
                request: None,
                ..
            } => self.notice = Some(errors::describe(&self.i18n, *kind, message)),
            _ => self.on_store_event(&event),
        }
        self.on_voicemail_event(&event);
        self.on_lamps_event(&event);
        self.on_conference_event(&event);
        self.on_call_features_event(&event);
        task = Task::batch([task, self.on_chat_event(&event)]);
        task = Task::batch([task, self.on_answering_machine(&event)]);
        self.note_transfer_event(&event);
        match self.calls.apply(&event, Instant::now()) {
            CallChange::RingingIn(call) => task = Task::batch([task, self.on_ringing_in(call)]),
            CallChange::Connected(call) => {
                self.now = Instant::now();
                self.focused = Some(call);
                // Answered by the engine (auto-answer, intercom): its popup goes.
                task = Task::batch([task, self.close_popup_for(call)]);
                // The call screen offers the outputs to switch to.
                if self.settings.outputs.is_empty() {
                    self.send(Command::ListDevices);
                }
            }
            CallChange::Ended { call, missed } => {
                task = Task::batch([task, self.on_call_ended(&call, missed)]);
                self.forget_consult_of(call.id);
                self.refresh_lists();
            }
            CallChange::None => {
                if let Event::CallState {
                    call,
                    state: CallState::Calling,
                    ..
                } = &event
                {
                    // A call we placed, or one the far end of another transferred us to.
                    self.focus_call(*call);
                }
            }
        }
        task
    }
}
