//! The desktop app: an iced daemon (it lives on in the tray when its window is closed) that sends
//! `Command`s to the engine and renders its `Event`s. The GUI never sees a SIP or audio type.

pub mod calls;
mod desktop_glue;
mod directories;
pub mod engine_link;
mod keys;
mod persist;
#[cfg(test)]
mod tests;
mod view;
mod windows;

use crate::desktop::instance::ControlServer;
use crate::desktop::notify::{CallResponse, Notifier, NotifyAction};
use crate::desktop::tray::{TrayAction, TrayHandle};
use crate::i18n::{I18n, Language};
use crate::screen::{call, contacts, dialer, history, popup, settings, sign_in};
use calls::{CallChange, Calls};
use desktop_glue::{Notifications, TrayEvent};
use engine_link::EngineLink;
use iced::{keyboard, window, Subscription, Task};
use parla_core::api::{CallState, DeclineReason, RegistrationState};
use parla_core::config::AccountConfig;
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
    SyncDirectories,
    DirectoryFetched(String, directories::Fetched),
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
    /// Showing a notification failed (no notification service): said once, calls still ring.
    NotificationFailed(Option<String>),
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
    dialer: dialer::Dialer,
    settings: settings::Settings,
    /// Per call, the output device picked on the call screen.
    call_outputs: BTreeMap<CallId, String>,
    now: Instant,
    main_window: Option<window::Id>,
    main_visible: bool,
    popup: Option<(window::Id, CallId)>,
    missed: u32,
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
    /// Contacts and call history (the engine writes the history, the window reads it).
    store: Option<parla_core::store::Store>,
    contacts: contacts::Contacts,
    history: history::History,
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
        .subscription(App::subscription)
        .run()
        .map_err(|e| anyhow::anyhow!("the window could not open: {e}"))
}

/// The embedded "Local" line: with no provider at all Parla listens for direct calls
/// (`sip:user@host`) and can make them.
pub const LOCAL_LINE: &str = "local";

pub fn with_local_line(mut config: Config) -> Config {
    if config.accounts.iter().any(|a| a.id == LOCAL_LINE) {
        return config;
    }
    let user = std::env::var("USER")
        .ok()
        .filter(|u| {
            !u.is_empty()
                && u.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        })
        .unwrap_or_else(|| "parla".into());
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty() && h.len() < 64)
        .unwrap_or_else(|| "localhost".into());
    config.accounts.push(AccountConfig {
        id: LOCAL_LINE.into(),
        username: user,
        domain: host,
        register: false,
        local_port: Some(5060),
        ..AccountConfig::default()
    });
    config
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
        let (main_id, open) = window::open(windows::main_settings(true));
        let dnd = config.app.do_not_disturb;
        let (notifier, notification_actions) = desktop_glue::notifier();
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
            dialer: dialer::Dialer::default(),
            settings: settings::Settings::default(),
            call_outputs: BTreeMap::new(),
            now: Instant::now(),
            main_window: Some(main_id),
            main_visible: true,
            popup: None,
            missed: 0,
            dnd,
            pending_dial: launch.dial,
            notice: None,
            password_question: None,
            tray: None,
            notifier,
            notifications: Notifications::default(),
            notification_trouble_told: false,
            control: None,
            store: None,
            contacts: contacts::Contacts::default(),
            history: history::History::default(),
            quitting: false,
            config,
        };
        let mut tasks = vec![open.discard(), notification_actions];
        if !show {
            // Without a tray to come back from, a hidden window would leave no way in.
            tasks.push(window::set_mode(main_id, window::Mode::Hidden));
        }
        let mut app = app;
        app.open_store();
        app.main_visible = show;
        if dnd {
            app.send(Command::SetDoNotDisturb { on: true });
        }
        tasks.push(Task::run(
            desktop_glue::start_tray(app.tray_status()),
            Message::Tray,
        ));
        tasks.push(directories::fetch_all(&app.config));
        (app, Task::batch(tasks))
    }

    pub fn title(&self, window: window::Id) -> String {
        if self.popup.map(|(id, _)| id) == Some(window) {
            return self.i18n.tr("popup-title");
        }
        match self.focused.and_then(|id| self.calls.get(id)) {
            Some(call) => format!("{} – Parla", call.title()),
            None => "Parla".into(),
        }
    }

    pub fn subscription(&self) -> Subscription<Message> {
        let mut subscriptions = vec![
            keyboard::listen().map(Message::Key),
            window::close_requests().map(Message::CloseRequested),
        ];
        // The call timer ticks only while a call is up: an idle app wakes for nothing.
        if directories::any(&self.config) {
            subscriptions
                .push(iced::time::every(directories::EVERY).map(|_| Message::SyncDirectories));
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
            Message::Dialer(msg) => {
                if let dialer::Outcome::Dial { account, to } = self.dialer.update(msg) {
                    self.dial(account, to);
                }
                Task::none()
            }
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
            Message::SyncDirectories => directories::fetch_all(&self.config),
            Message::DirectoryFetched(line, fetched) => {
                self.on_directory_fetched(line, fetched);
                Task::none()
            }
            Message::Contacts(msg) => {
                let region = self.region();
                let outcome = match self.store.as_mut() {
                    Some(store) => self.contacts.update(msg, store, region, &self.i18n),
                    None => contacts::Outcome::None,
                };
                if let contacts::Outcome::Dial(to) = outcome {
                    self.dial(None, to);
                }
                Task::none()
            }
            Message::History(msg) => {
                let outcome = match self.store.as_mut() {
                    Some(store) => self.history.update(msg, store),
                    None => history::Outcome::None,
                };
                if let history::Outcome::Dial(to) = outcome {
                    self.dial(None, to);
                }
                Task::none()
            }
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
                if let Some(question) = self.password_question.take() {
                    if keep && question.account == account {
                        if let Some(line) =
                            self.config.accounts.iter_mut().find(|a| a.id == account)
                        {
                            line.password = Some(question.password);
                            line.password_in_keyring = false;
                        }
                        self.save();
                    }
                }
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
            Message::NotificationFailed(None) => Task::none(),
            Message::NotificationFailed(Some(why)) => {
                if !self.notification_trouble_told {
                    self.notification_trouble_told = true;
                    tracing::info!(%why, "no desktop notification for incoming calls");
                }
                Task::none()
            }
            Message::Exited => iced::exit(),
        }
    }

    /// Saves the settings. Passwords in `self.config` are only those the file holds anyway
    /// (written there by hand, or kept there with the person's consent): the keyring holds the rest.
    fn save(&mut self) {
        if let Err(e) = persist::save_config(&self.profile, &self.config) {
            self.notice = Some(self.i18n.tr_args("notice-save-failed", &[("error", &e)]));
        }
    }

    fn open_store(&mut self) {
        let path = self.profile.join(parla_core::store::DB_FILE_NAME);
        match parla_core::store::Store::open(&path) {
            Ok(opened) => {
                if let Some(moved) = opened.moved_aside {
                    self.notice = Some(
                        self.i18n
                            .tr_args("notice-db-moved", &[("path", &moved.display().to_string())]),
                    );
                }
                self.missed = opened
                    .store
                    .unseen_missed_count()
                    .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
                    .unwrap_or(0);
                self.store = Some(opened.store);
            }
            Err(e) => self.notice = Some(e.to_string()),
        }
    }

    /// The country numbers without one belong to: the default line's, else the system's.
    fn region(&self) -> parla_core::store::Region {
        self.config
            .default_account()
            .and_then(|a| a.region.as_deref())
            .map(str::to_string)
            .or_else(|| {
                sys_locale::get_locale()
                    .and_then(|l| l.split(['-', '_', '.']).nth(1).map(str::to_string))
            })
            .and_then(|code| code.parse().ok())
            .unwrap_or(parla_core::store::Region::US)
    }

    fn on_directory_fetched(&mut self, line: String, fetched: directories::Fetched) {
        let region = self.region();
        let Some(store) = self.store.as_mut() else {
            return;
        };
        let result = fetched.and_then(|found| {
            let (contacts, skipped) = found.as_ref();
            if !skipped.is_empty() {
                tracing::info!(%line, skipped = skipped.len(), "directory entries skipped");
            }
            store
                .replace_directory(&line, contacts, region)
                .map_err(|e| e.to_string())
        });
        match result {
            Ok(count) => tracing::info!(%line, count, "company directory synced"),
            Err(error) => {
                self.notice = Some(self.i18n.tr_args(
                    "notice-directory-failed",
                    &[("line", &line), ("error", &error)],
                ));
            }
        }
        self.refresh_lists();
    }

    /// Reads the open list again; opening the history marks missed calls seen.
    fn refresh_lists(&mut self) {
        let Some(store) = self.store.as_mut() else {
            return;
        };
        match self.tab {
            Tab::Contacts => self.contacts.refresh(store),
            Tab::History => {
                let _ = store.mark_missed_seen();
                self.missed = 0;
                self.history.refresh(store);
            }
            Tab::Phone | Tab::Settings => {}
        }
    }

    fn dial(&mut self, account: Option<AccountId>, to: String) {
        let account = account.or_else(|| self.default_line());
        self.tab = Tab::Phone;
        self.send(Command::Dial { account, to });
    }

    fn on_event(&mut self, event: Event) -> Task<Message> {
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
            Event::Devices { inputs, outputs } => {
                self.settings.inputs = inputs.clone();
                self.settings.outputs = outputs.clone();
            }
            Event::Level { input } => self.settings.level = input.clamp(0.0, 1.0),
            Event::EchoTest { state, reason } => {
                self.settings.echo_running = state == "running";
                if let Some(reason) = reason {
                    self.notice = Some(reason.clone());
                }
            }
            Event::Device { message, .. } => self.notice = Some(message.clone()),
            Event::Error { message } => self.notice = Some(message.clone()),
            Event::CallRefused { .. } => {}
            _ => {}
        }
        match self.calls.apply(&event, Instant::now()) {
            CallChange::RingingIn(call) => task = Task::batch([task, self.on_ringing_in(call)]),
            CallChange::Connected(call) => {
                self.now = Instant::now();
                self.focused = Some(call);
                // The call screen offers the outputs to switch to.
                if self.settings.outputs.is_empty() {
                    self.send(Command::ListDevices);
                }
            }
            CallChange::Ended { call, missed } => {
                task = Task::batch([task, self.on_call_ended(&call, missed)]);
                self.refresh_lists();
            }
            CallChange::None => {
                if let Event::CallState {
                    call,
                    state: CallState::Calling,
                    ..
                } = &event
                {
                    self.focused = Some(*call);
                    self.keypad_open = false;
                }
            }
        }
        task
    }

    fn on_ringing_in(&mut self, call: CallId) -> Task<Message> {
        if self.config.app.auto_answer && self.calls.iter().filter(|c| c.is_live()).count() == 0 {
            self.send(Command::Answer { call });
            self.focused = Some(call);
            return Task::none();
        }
        if self.focused.is_none() {
            self.focused = Some(call);
        }
        let notification = match self.calls.get(call) {
            Some(view) => self.notifications.show_incoming(
                &self.notifier,
                call,
                view.name.clone(),
                calls::display_number(&view.remote),
                desktop_glue::notify_labels(&self.i18n),
            ),
            None => Task::none(),
        };
        if self.popup.is_some() {
            return notification;
        }
        let (id, open) = window::open(windows::popup_settings());
        self.popup = Some((id, call));
        Task::batch([open.discard(), notification])
    }

    fn on_call_ended(&mut self, call: &calls::CallView, missed: bool) -> Task<Message> {
        let call_view = call;
        let call = call.id;
        self.call_outputs.remove(&call);
        self.notifications.close(call);
        if missed {
            self.missed += 1;
            self.notifications.missed(
                &self.notifier,
                call_view.name.clone(),
                calls::display_number(&call_view.remote),
                desktop_glue::notify_labels(&self.i18n),
            );
        }
        if self.focused == Some(call) {
            self.focused = self
                .calls
                .iter()
                .find(|c| c.is_live())
                .or_else(|| self.calls.iter().next())
                .map(|c| c.id);
            self.keypad_open = false;
        }
        self.close_popup_for(call)
    }

    fn close_popup_for(&mut self, call: CallId) -> Task<Message> {
        self.notifications.close(call);
        match self.popup {
            Some((window, ringing)) if ringing == call => {
                self.popup = None;
                // Another call may still be ringing: it gets the popup.
                let next = self.calls.ringing_in().map(|c| c.id).find(|id| *id != call);
                let close = window::close(window);
                match next {
                    Some(next) => {
                        let (id, open) = window::open(windows::popup_settings());
                        self.popup = Some((id, next));
                        Task::batch([close, open.discard()])
                    }
                    None => close,
                }
            }
            _ => Task::none(),
        }
    }

    fn on_call_action(&mut self, call: CallId, action: call::Action) -> Task<Message> {
        let Some(view) = self.calls.get_mut(call) else {
            return Task::none();
        };
        let mut task = Task::none();
        match action {
            call::Action::Focus => {
                self.focused = Some(call);
                self.keypad_open = false;
            }
            call::Action::Answer => {
                self.send(Command::Answer { call });
                self.focused = Some(call);
                self.tab = Tab::Phone;
                task = Task::batch([self.close_popup_for(call), self.show_main()]);
            }
            call::Action::Decline => {
                self.send(Command::Decline {
                    call,
                    reason: DeclineReason::Decline,
                });
                task = self.close_popup_for(call);
            }
            call::Action::Hangup => self.send(Command::Hangup { call }),
            call::Action::Mute(muted) => {
                view.muted = muted;
                self.send(Command::Mute { call, muted });
            }
            call::Action::Hold(true) => self.send(Command::Hold { call }),
            call::Action::Hold(false) => self.send(Command::Resume { call }),
            call::Action::ToggleKeypad => self.keypad_open = !self.keypad_open,
            call::Action::Digit(digit) => self.send(Command::Dtmf {
                call,
                digits: digit.to_string(),
            }),
            call::Action::Output(device) => {
                self.call_outputs.insert(call, device.clone());
                self.send(Command::SetCallDevices {
                    call,
                    input: None,
                    output: Some(device),
                });
            }
        }
        task
    }

    fn on_shortcut(&mut self, shortcut: keys::Shortcut) -> Task<Message> {
        use keys::Shortcut;
        if self.sign_in.is_some() || self.tab != Tab::Phone {
            return Task::none();
        }
        let ringing = self.calls.ringing_in().map(|c| c.id).next();
        let focused = self.focused.and_then(|id| self.calls.get(id)).cloned();
        match shortcut {
            Shortcut::Escape => match (ringing, focused) {
                (Some(call), _) => self.on_call_action(call, call::Action::Decline),
                (None, Some(call)) => self.on_call_action(call.id, call::Action::Hangup),
                _ => Task::none(),
            },
            Shortcut::Enter => match (ringing, focused) {
                (Some(call), _) => self.on_call_action(call, call::Action::Answer),
                (None, None) => self.update(Message::Dialer(dialer::Msg::Call)),
                _ => Task::none(),
            },
            Shortcut::Digit(digit) => match focused {
                Some(call) if call.is_live() => {
                    self.on_call_action(call.id, call::Action::Digit(digit))
                }
                Some(_) => Task::none(),
                None => self.update(Message::Dialer(dialer::Msg::Key(digit))),
            },
            Shortcut::Backspace if focused.is_none() => {
                self.update(Message::Dialer(dialer::Msg::Backspace))
            }
            Shortcut::Backspace => Task::none(),
            Shortcut::Mute => match focused {
                Some(call) if call.is_live() => {
                    self.on_call_action(call.id, call::Action::Mute(!call.muted))
                }
                _ => Task::none(),
            },
            Shortcut::Hold => match focused {
                Some(call) if call.is_live() => self
                    .on_call_action(call.id, call::Action::Hold(call.state != CallState::OnHold)),
                _ => Task::none(),
            },
        }
    }

    fn on_sign_in(&mut self, msg: sign_in::Msg) -> Task<Message> {
        let taken: Vec<String> = self.config.accounts.iter().map(|a| a.id.clone()).collect();
        let Some(form) = self.sign_in.as_mut() else {
            return Task::none();
        };
        let waiting_for = match &form.progress {
            sign_in::Progress::Waiting { account } => Some(account.clone()),
            _ => None,
        };
        match form.update(msg, &self.i18n, &taken) {
            sign_in::Outcome::None => {}
            sign_in::Outcome::Try(account) => {
                self.send(Command::SetAccount { account });
            }
            sign_in::Outcome::Cancel => {
                let editing = form.editing.clone();
                let first_run = form.first_run;
                if let Some(account) = waiting_for {
                    // A line being tried and given up on stops; an edited line goes back to
                    // what the config says.
                    match self.config.accounts.iter().find(|a| a.id == account) {
                        Some(saved) if editing.is_some() => {
                            let saved = saved.clone();
                            self.send(Command::SetAccount {
                                account: Box::new(saved),
                            });
                        }
                        _ => self.send(Command::RemoveAccount {
                            account: AccountId::new(account),
                        }),
                    }
                }
                if !first_run {
                    self.sign_in = None;
                }
            }
            sign_in::Outcome::LocalOnly => {
                self.sign_in = None;
                self.save();
            }
        }
        Task::none()
    }

    fn on_registration_for_sign_in(
        &mut self,
        account: &AccountId,
        state: RegistrationState,
        code: Option<u16>,
        reason: Option<&str>,
    ) -> Task<Message> {
        let Some(form) = self.sign_in.as_mut() else {
            return Task::none();
        };
        if form.progress
            != (sign_in::Progress::Waiting {
                account: account.to_string(),
            })
        {
            return Task::none();
        }
        match state {
            RegistrationState::Registered => {
                let taken: Vec<String> =
                    self.config.accounts.iter().map(|a| a.id.clone()).collect();
                let Ok(mut line) = form.account(&taken_without(&taken, account.as_str())) else {
                    return Task::none();
                };
                // Kept in memory for the engine; the file leaves it out while the keyring has it.
                let password = line.password.clone();
                line.password_in_keyring = password.is_some();
                let first_real_line = !self.config.accounts.iter().any(|a| a.register);
                if first_real_line {
                    line.default = true;
                }
                match self.config.accounts.iter_mut().find(|a| a.id == line.id) {
                    Some(existing) => {
                        line.default = existing.default;
                        *existing = line.clone();
                    }
                    None => {
                        // A new provider line goes before the embedded Local one.
                        let at = self
                            .config
                            .accounts
                            .iter()
                            .position(|a| a.id == LOCAL_LINE)
                            .unwrap_or(self.config.accounts.len());
                        self.config.accounts.insert(at, line.clone());
                    }
                }
                self.sign_in = None;
                self.tab = Tab::Phone;
                self.save();
                match password {
                    Some(password) => {
                        let profile = self.profile.clone();
                        let id = line.id.clone();
                        Task::perform(
                            persist::store_password(profile, id.clone(), password),
                            move |outcome| Message::PasswordSaved(id.clone(), outcome),
                        )
                    }
                    None => Task::none(),
                }
            }
            RegistrationState::Failed => {
                form.progress =
                    sign_in::Progress::Failed(sign_in::failure_message(&self.i18n, code, reason));
                // The form is not a line yet: stop it retrying in the background, or put the
                // edited line back as it was.
                let saved = self
                    .config
                    .accounts
                    .iter()
                    .find(|a| a.id == account.as_str())
                    .cloned();
                match saved {
                    Some(saved) => self.send(Command::SetAccount {
                        account: Box::new(saved),
                    }),
                    None => self.send(Command::RemoveAccount {
                        account: account.clone(),
                    }),
                }
                Task::none()
            }
            _ => Task::none(),
        }
    }

    fn on_password_saved(&mut self, account: String, outcome: persist::PasswordOutcome) {
        let password = self
            .config
            .accounts
            .iter()
            .find(|a| a.id == account)
            .and_then(|a| a.password.clone());
        match outcome {
            persist::PasswordOutcome::InKeyring => {}
            persist::PasswordOutcome::NoKeyring(why) | persist::PasswordOutcome::Failed(why) => {
                // The engine has the password for this session; keeping it in the file needs
                // the person's say-so.
                self.password_question = password.map(|password| PasswordQuestion {
                    account,
                    password,
                    why,
                });
            }
        }
    }

    fn on_settings(&mut self, msg: settings::Msg) -> Task<Message> {
        let effect = settings::apply(&mut self.config, msg);
        for command in effect.commands.iter().cloned() {
            if let Command::SetDoNotDisturb { on } = command {
                self.dnd = on;
            }
            self.send(command);
        }
        if let Some(Some(id)) = &effect.open_sign_in {
            if let Some(account) = self.config.accounts.iter().find(|a| &a.id == id) {
                self.sign_in = Some(sign_in::SignIn::edit(account));
            }
        } else if effect.open_sign_in.is_some() {
            self.sign_in = Some(sign_in::SignIn::new(false));
        }
        if let Some(language) = effect.language {
            self.i18n = I18n::new(language);
        }
        if let Some(on) = effect.start_at_login {
            if let Err(e) = crate::desktop::handlers::set_start_at_login(on) {
                self.notice = Some(e.to_string());
            }
        }
        if effect.save {
            self.save();
        }
        match effect.forget_password {
            Some(account) => Task::perform(
                persist::forget_password(self.profile.clone(), account),
                |_| Message::DismissNotice,
            )
            .discard(),
            None => Task::none(),
        }
    }

    fn on_control(&mut self, command: Command) -> Task<Message> {
        match command {
            Command::Show => self.show_main(),
            Command::Dial { account, to } => {
                let ask = account.is_none()
                    && self.config.app.ask_line_for_links
                    && self.config.accounts.iter().filter(|a| a.enabled).count() > 1;
                if ask {
                    self.dialer.input = to;
                    self.tab = Tab::Phone;
                } else {
                    self.dial(account, to);
                }
                self.show_main()
            }
            Command::Quit => self.quit(),
            other => {
                self.send(other);
                Task::none()
            }
        }
    }

    fn show_main(&mut self) -> Task<Message> {
        self.main_visible = true;
        match self.main_window {
            Some(id) => Task::batch([
                window::set_mode(id, window::Mode::Windowed),
                window::gain_focus(id),
            ]),
            None => {
                let (id, open) = window::open(windows::main_settings(true));
                self.main_window = Some(id);
                open.discard()
            }
        }
    }

    fn on_close_requested(&mut self, id: window::Id) -> Task<Message> {
        if Some(id) != self.main_window {
            return Task::none();
        }
        if self.tray_running() {
            self.hide_main()
        } else {
            self.quit()
        }
    }

    fn tray_running(&self) -> bool {
        self.tray.as_ref().is_some_and(TrayHandle::is_running)
    }

    fn on_tray(&mut self, event: TrayEvent) -> Task<Message> {
        match event {
            TrayEvent::Ready(handle) => {
                self.tray = Some(handle);
                Task::none()
            }
            TrayEvent::Failed(why) => {
                tracing::info!(%why, "no tray icon");
                // Started hidden but there is no tray to come back from: show the window.
                if self.main_visible {
                    Task::none()
                } else {
                    self.show_main()
                }
            }
            TrayEvent::Action(TrayAction::ToggleWindow) => {
                if self.main_visible {
                    self.hide_main()
                } else {
                    self.show_main()
                }
            }
            TrayEvent::Action(TrayAction::SetDnd(on)) => {
                self.on_settings(settings::Msg::DoNotDisturb(on))
            }
            TrayEvent::Action(TrayAction::Quit) => self.quit(),
        }
    }

    fn hide_main(&mut self) -> Task<Message> {
        self.main_visible = false;
        match self.main_window {
            Some(id) => window::set_mode(id, window::Mode::Hidden),
            None => Task::none(),
        }
    }

    fn quit(&mut self) -> Task<Message> {
        if self.quitting {
            return Task::none();
        }
        self.quitting = true;
        let engine = self.engine.clone();
        Task::perform(engine.quit(), |_| Message::Exited)
    }
}

fn taken_without(taken: &[String], id: &str) -> Vec<String> {
    taken.iter().filter(|t| *t != id).cloned().collect()
}
