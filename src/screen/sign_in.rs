//! First run and "add a line": `user@domain` and password, with the server found from the
//! domain unless the advanced fields name one.

use crate::i18n::I18n;
use crate::style::{self, button_style, size, space, Tone};
use crate::widget::focus::focusable;
use crate::widget::{action, icon, Glyph, Press};
use iced::widget::{
    button, checkbox, column, container, pick_list, row, scrollable, text, text_input,
};
use iced::{Alignment, Element, Length};
use parla_core::config::{AccountConfig, Transport};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportChoice {
    Automatic,
    Udp,
    Tcp,
    Tls,
}

impl TransportChoice {
    const ALL: [TransportChoice; 4] = [
        TransportChoice::Automatic,
        TransportChoice::Udp,
        TransportChoice::Tcp,
        TransportChoice::Tls,
    ];

    fn transport(self) -> Option<Transport> {
        match self {
            TransportChoice::Automatic => None,
            TransportChoice::Udp => Some(Transport::Udp),
            TransportChoice::Tcp => Some(Transport::Tcp),
            TransportChoice::Tls => Some(Transport::Tls),
        }
    }

    fn from_transport(transport: Option<Transport>) -> Self {
        match transport {
            None => TransportChoice::Automatic,
            Some(Transport::Udp) => TransportChoice::Udp,
            Some(Transport::Tcp) => TransportChoice::Tcp,
            Some(Transport::Tls) => TransportChoice::Tls,
        }
    }
}

impl std::fmt::Display for TransportChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TransportChoice::Automatic => "auto",
            TransportChoice::Udp => "UDP",
            TransportChoice::Tcp => "TCP",
            TransportChoice::Tls => "TLS",
        })
    }
}

/// Where the form is in its round trip with the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    Editing,
    /// The line was handed to the engine; waiting for `registered` or `failed`.
    Waiting {
        account: String,
    },
    /// A message for the person, already translated.
    Failed(String),
}

#[derive(Debug, Clone)]
pub struct SignIn {
    pub address: String,
    pub password: String,
    pub display_name: String,
    pub advanced: bool,
    pub registrar: String,
    pub proxy: String,
    pub transport: TransportChoice,
    pub port: String,
    pub progress: Progress,
    /// Editing an existing line (its id) rather than adding one.
    pub editing: Option<String>,
    /// The codec order and other settings of the line being edited, kept as they were.
    base: AccountConfig,
    /// Offer "use Parla without an account" (first run only).
    pub first_run: bool,
}

#[derive(Debug, Clone)]
pub enum Msg {
    Address(String),
    Password(String),
    DisplayName(String),
    ToggleAdvanced(bool),
    Registrar(String),
    Proxy(String),
    Transport(TransportChoice),
    Port(String),
    Submit,
    Cancel,
    LocalOnly,
}

/// What the app should do after the form handled a message.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    None,
    /// Hand this line to the engine and wait for its registration.
    Try(Box<AccountConfig>),
    Cancel,
    LocalOnly,
}

impl SignIn {
    pub fn new(first_run: bool) -> Self {
        Self {
            address: String::new(),
            password: String::new(),
            display_name: String::new(),
            advanced: false,
            registrar: String::new(),
            proxy: String::new(),
            transport: TransportChoice::Automatic,
            port: String::new(),
            progress: Progress::Editing,
            editing: None,
            base: AccountConfig::default(),
            first_run,
        }
    }

    /// The form filled in from an existing line (the password stays empty: blank keeps it).
    pub fn edit(account: &AccountConfig) -> Self {
        let (registrar_host, port) = split_port(account.registrar.as_deref().unwrap_or(""));
        Self {
            address: format!("{}@{}", account.username, account.domain),
            display_name: account.display_name.clone().unwrap_or_default(),
            advanced: account.registrar.is_some()
                || account.outbound_proxy.is_some()
                || account.transport.is_some(),
            registrar: registrar_host,
            proxy: account
                .outbound_proxy
                .as_deref()
                .map(strip_sip)
                .unwrap_or_default()
                .to_string(),
            transport: TransportChoice::from_transport(account.transport),
            port,
            editing: Some(account.id.clone()),
            base: account.clone(),
            ..Self::new(false)
        }
    }

    pub fn is_waiting(&self) -> bool {
        matches!(self.progress, Progress::Waiting { .. })
    }

    pub fn update(&mut self, msg: Msg, i18n: &I18n, taken_ids: &[String]) -> Outcome {
        if self.is_waiting() && !matches!(msg, Msg::Cancel) {
            return Outcome::None;
        }
        match msg {
            Msg::Address(v) => self.address = v.trim().to_string(),
            Msg::Password(v) => self.password = v,
            Msg::DisplayName(v) => self.display_name = v,
            Msg::ToggleAdvanced(on) => self.advanced = on,
            Msg::Registrar(v) => self.registrar = v.trim().to_string(),
            Msg::Proxy(v) => self.proxy = v.trim().to_string(),
            Msg::Transport(t) => self.transport = t,
            Msg::Port(v) => self.port = v.chars().filter(char::is_ascii_digit).take(5).collect(),
            Msg::Cancel => {
                self.progress = Progress::Editing;
                return Outcome::Cancel;
            }
            Msg::LocalOnly => return Outcome::LocalOnly,
            Msg::Submit => {
                return match self.account(taken_ids) {
                    Ok(account) => {
                        self.progress = Progress::Waiting {
                            account: account.id.clone(),
                        };
                        Outcome::Try(Box::new(account))
                    }
                    Err(key) => {
                        self.progress = Progress::Failed(i18n.tr(key));
                        Outcome::None
                    }
                }
            }
        }
        if matches!(self.progress, Progress::Failed(_)) {
            self.progress = Progress::Editing;
        }
        Outcome::None
    }

    /// The line the form describes, or the translation key of what is wrong with it.
    pub fn account(&self, taken_ids: &[String]) -> Result<AccountConfig, &'static str> {
        let (user, domain) = self
            .address
            .strip_prefix("sip:")
            .unwrap_or(&self.address)
            .split_once('@')
            .ok_or("sign-in-error-address")?;
        let valid_part = |s: &str| {
            !s.is_empty() && s.len() <= 128 && !s.chars().any(|c| c.is_whitespace() || c == '@')
        };
        if !valid_part(user) || !valid_part(domain) {
            return Err("sign-in-error-address");
        }
        if self.password.is_empty() && self.editing.is_none() {
            return Err("sign-in-error-password");
        }
        let port = if self.port.is_empty() {
            None
        } else {
            match self.port.parse::<u16>() {
                Ok(p) if p > 0 => Some(p),
                _ => return Err("sign-in-error-port"),
            }
        };
        let server = |host: &str| -> Option<String> {
            if host.is_empty() {
                return None;
            }
            let host = strip_sip(host);
            Some(match port {
                Some(p) if !host.contains(':') => format!("sip:{host}:{p}"),
                _ => format!("sip:{host}"),
            })
        };
        let mut registrar = if self.advanced {
            server(&self.registrar)
        } else {
            None
        };
        if registrar.is_none() && self.advanced && port.is_some() {
            registrar = server(domain);
        }
        let id = match &self.editing {
            Some(id) => id.clone(),
            None => unique_id(&format!("{user}@{domain}"), taken_ids),
        };
        let mut account = AccountConfig {
            id,
            username: user.to_string(),
            domain: domain.to_string(),
            display_name: Some(self.display_name.trim().to_string()).filter(|n| !n.is_empty()),
            password: Some(self.password.clone()).filter(|p| !p.is_empty()),
            registrar,
            outbound_proxy: (self.advanced && !self.proxy.is_empty())
                .then(|| format!("sip:{}", strip_sip(&self.proxy))),
            transport: self.advanced.then(|| self.transport.transport()).flatten(),
            register: true,
            ..self.base.clone()
        };
        if account.password.is_none() {
            account.password = self.base.password.clone();
        }
        Ok(account)
    }

    pub fn view<'a>(&'a self, i18n: &I18n) -> Element<'a, Msg> {
        let waiting = self.is_waiting();
        let field = |placeholder: String, value: &'a str, on: fn(String) -> Msg| {
            let input = text_input(&placeholder, value).padding([space::S, space::M]);
            if waiting {
                input
            } else {
                input.on_input(on).on_submit(Msg::Submit)
            }
        };
        let label = |key: &str| text(i18n.tr(key)).size(size::BODY);
        let title = if self.editing.is_some() {
            i18n.tr("sign-in-edit-title")
        } else {
            i18n.tr("sign-in-title")
        };
        let heading = row![
            container(icon(Glyph::Phone, 22.0))
                .center_x(Length::Fixed(44.0))
                .center_y(Length::Fixed(44.0))
                .style(mark),
            text(title).size(size::TITLE + 2.0).width(Length::Fill),
        ]
        .spacing(space::M)
        .align_y(Alignment::Center);
        let mut fields = column![
            label("sign-in-address"),
            field(
                "alice@sip.example.com".to_string(),
                &self.address,
                Msg::Address
            )
            .id("sign-in-address"),
            label("sign-in-password"),
            field(String::new(), &self.password, Msg::Password)
                .secure(true)
                .id("sign-in-password"),
            focusable(
                checkbox(self.advanced)
                    .label(i18n.tr("sign-in-advanced"))
                    .on_toggle_maybe((!waiting).then_some(Msg::ToggleAdvanced)),
                (!waiting).then_some(Msg::ToggleAdvanced(!self.advanced)),
            ),
        ]
        .spacing(space::S);
        if self.advanced {
            fields = fields.push(
                column![
                    label("sign-in-display-name"),
                    field(String::new(), &self.display_name, Msg::DisplayName),
                    label("sign-in-registrar"),
                    field(
                        i18n.tr("sign-in-found-from-domain"),
                        &self.registrar,
                        Msg::Registrar
                    ),
                    label("sign-in-proxy"),
                    field(i18n.tr("sign-in-none"), &self.proxy, Msg::Proxy),
                    row![
                        column![
                            label("sign-in-transport"),
                            pick_list(TransportChoice::ALL, Some(self.transport), Msg::Transport),
                        ]
                        .spacing(space::XS),
                        column![
                            label("sign-in-port"),
                            field("5060".to_string(), &self.port, Msg::Port).width(90),
                        ]
                        .spacing(space::XS),
                    ]
                    .spacing(space::L),
                ]
                .spacing(space::S),
            );
        }
        match &self.progress {
            Progress::Failed(message) => {
                fields = fields.push(text(message.clone()).style(text::danger));
            }
            Progress::Waiting { .. } => fields = fields.push(text(i18n.tr("sign-in-waiting"))),
            Progress::Editing => {}
        }
        let (glyph, label) = if self.editing.is_some() {
            (Glyph::Save, i18n.tr("sign-in-save"))
        } else {
            (Glyph::SignIn, i18n.tr("sign-in-submit"))
        };
        let submit =
            action(glyph, label, Tone::Accent).press_maybe((!waiting).then_some(Msg::Submit));
        let mut actions = row![submit].spacing(space::M).align_y(Alignment::Center);
        if waiting || !self.first_run {
            actions = actions
                .push(action(Glyph::Close, i18n.tr("cancel"), Tone::Neutral).press(Msg::Cancel));
        }
        if self.first_run && !waiting {
            actions = actions.push(
                button(text(i18n.tr("sign-in-local-only")).size(size::BODY))
                    .style(button_style(Tone::Quiet, None))
                    .padding([space::S, space::M])
                    .press(Msg::LocalOnly),
            );
        }
        let form = column![
            heading,
            text(i18n.tr("sign-in-intro"))
                .size(size::BODY)
                .style(text::secondary),
            container(fields).padding(space::L).style(style::card),
            actions,
        ]
        .spacing(space::L);
        scrollable(
            container(form.max_width(420))
                .padding(space::XL)
                .center_x(Length::Fill),
        )
        .into()
    }
}

/// The round accent mark beside the sign-in title.
fn mark(theme: &iced::Theme) -> container::Style {
    let accent = theme.extended_palette().primary.base;
    container::Style {
        background: Some(accent.color.into()),
        text_color: Some(accent.text),
        border: iced::border::rounded(22),
        ..container::Style::default()
    }
}

/// The plain-language message for a registration that failed while signing in.
pub fn failure_message(i18n: &I18n, code: Option<u16>, reason: Option<&str>) -> String {
    match code {
        Some(401) | Some(403) | Some(407) => i18n.tr("sign-in-error-credentials"),
        Some(404) => i18n.tr("sign-in-error-unknown-user"),
        Some(408) | Some(503) | Some(504) | None => i18n.tr("sign-in-error-unreachable"),
        Some(code) => i18n.tr_args(
            "sign-in-error-refused",
            &[
                ("code", &code.to_string()),
                ("reason", reason.unwrap_or_default()),
            ],
        ),
    }
}

fn strip_sip(s: &str) -> &str {
    s.strip_prefix("sips:")
        .or_else(|| s.strip_prefix("sip:"))
        .unwrap_or(s)
}

/// `sip:pbx.example.com:5070` -> (`pbx.example.com`, `5070`).
fn split_port(uri: &str) -> (String, String) {
    let host = strip_sip(uri);
    match host.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty() => {
            (h.to_string(), p.to_string())
        }
        _ => (host.to_string(), String::new()),
    }
}

fn unique_id(base: &str, taken: &[String]) -> String {
    if !taken.iter().any(|t| t == base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|candidate| !taken.iter().any(|t| t == candidate))
        .unwrap_or_else(|| base.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;

    fn filled(address: &str, password: &str) -> SignIn {
        let mut form = SignIn::new(true);
        form.address = address.into();
        form.password = password.into();
        form
    }

    #[test]
    fn a_plain_address_finds_its_server_from_the_domain() {
        let account = filled("alice@sip.example.com", "pw")
            .account(&[])
            .expect("valid");
        assert_eq!(account.id, "alice@sip.example.com");
        assert_eq!(account.username, "alice");
        assert_eq!(account.domain, "sip.example.com");
        assert_eq!(account.registrar, None);
        assert_eq!(account.transport, None);
        assert_eq!(account.password.as_deref(), Some("pw"));
    }

    #[test]
    fn advanced_fields_name_the_server() {
        let mut form = filled("sip:alice@example.com", "pw");
        form.advanced = true;
        form.registrar = "pbx.example.com".into();
        form.port = "5070".into();
        form.transport = TransportChoice::Tcp;
        form.proxy = "sip:edge.example.com".into();
        let account = form.account(&["alice@example.com".into()]).expect("valid");
        assert_eq!(account.id, "alice@example.com-2");
        assert_eq!(
            account.registrar.as_deref(),
            Some("sip:pbx.example.com:5070")
        );
        assert_eq!(
            account.outbound_proxy.as_deref(),
            Some("sip:edge.example.com")
        );
        assert_eq!(account.transport, Some(Transport::Tcp));
        // Advanced fields folded away are not used.
        form.advanced = false;
        assert_eq!(form.account(&[]).expect("valid").registrar, None);
    }

    #[test]
    fn mistakes_are_named_on_the_form() {
        let i18n = I18n::new(Language::English);
        for (address, password, key) in [
            ("alice", "pw", "sign-in-error-address"),
            ("alice@", "pw", "sign-in-error-address"),
            ("al ice@example.com", "pw", "sign-in-error-address"),
            ("alice@example.com", "", "sign-in-error-password"),
        ] {
            let mut form = filled(address, password);
            assert_eq!(form.update(Msg::Submit, &i18n, &[]), Outcome::None);
            assert_eq!(form.progress, Progress::Failed(i18n.tr(key)), "{address}");
        }
    }

    #[test]
    fn editing_keeps_the_line_id_and_its_password_when_left_blank() {
        let original = AccountConfig {
            id: "work".into(),
            username: "2001".into(),
            domain: "pbx.example.com".into(),
            password: Some("secret".into()),
            registrar: Some("sip:10.0.0.5:5062".into()),
            ..AccountConfig::default()
        };
        let form = SignIn::edit(&original);
        assert!(form.advanced);
        assert_eq!(form.registrar, "10.0.0.5");
        assert_eq!(form.port, "5062");
        let account = form.account(&["work".into()]).expect("valid");
        assert_eq!(account.id, "work");
        assert_eq!(account.password.as_deref(), Some("secret"));
        assert_eq!(account.registrar.as_deref(), Some("sip:10.0.0.5:5062"));
    }

    #[test]
    fn failures_read_as_plain_language() {
        let i18n = I18n::new(Language::English);
        assert_eq!(
            failure_message(&i18n, Some(403), Some("Forbidden")),
            i18n.tr("sign-in-error-credentials")
        );
        assert_eq!(
            failure_message(&i18n, Some(408), None),
            i18n.tr("sign-in-error-unreachable")
        );
        assert!(failure_message(&i18n, Some(488), Some("Not Here")).contains("488"));
    }
}
