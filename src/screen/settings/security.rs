//! A line's security and network part on its page: encrypted audio (SRTP), the keep-alive
//! interval (lines with a server) and, on the Local line, who may call it directly. Each menu
//! saves at once and restarts the line (`set_account`), like its transfers.

use iced::widget::{column, pick_list};
use iced::{Element, Length};
use parla_core::config::{AccountConfig, DirectCalls, SrtpPolicy, Transport, MAX_KEEPALIVE_S};
use parla_core::{Command, Config};

use super::parts::{choices, hint, labelled, Choice};
use super::{Effect, Msg};
use crate::i18n::I18n;
use crate::style::{size, space};

/// The keep-alive intervals offered, in seconds; 0 is none.
const KEEPALIVES: [u32; 9] = [0, 10, 15, 20, 25, 30, 60, 120, 300];

/// A change to a line's security or network settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityChange {
    Srtp(SrtpPolicy),
    Keepalive(u32),
    DirectCalls(DirectCalls),
}

/// The config's side: the changed line is saved and, if it runs, restarted with it.
pub(super) fn apply(config: &mut Config, id: &str, change: SecurityChange) -> Effect {
    let mut effect = Effect::default();
    let Some(account) = config.account_mut(id) else {
        return effect;
    };
    let before = account.clone();
    match change {
        SecurityChange::Srtp(policy) => account.srtp = policy,
        SecurityChange::Keepalive(seconds) => account.keepalive_s = seconds.min(MAX_KEEPALIVE_S),
        SecurityChange::DirectCalls(who) => account.direct_calls = who,
    }
    if *account == before {
        return effect;
    }
    effect.save = true;
    if account.enabled {
        effect.commands.push(Command::SetAccount {
            account: Box::new(account.clone()),
        });
    }
    effect
}

/// Keys go into offers only over TLS, so off TLS the menu says what it does there.
fn srtp_hint(account: &AccountConfig) -> &'static str {
    if account.transport == Some(Transport::Tls) {
        "security-srtp-hint-tls"
    } else {
        "security-srtp-hint-plain"
    }
}

/// Keep-alives go to the server while registered: a line without one sends none.
fn shows_keepalive(account: &AccountConfig) -> bool {
    account.register
}

/// Only a line without a server (the Local line) takes calls straight at its address.
fn shows_direct_calls(account: &AccountConfig) -> bool {
    !account.register
}

/// The part: the SRTP menu with its hint, then the keep-alive or the direct-calls menu.
pub(super) fn view<'a>(i18n: &I18n, account: &'a AccountConfig) -> Element<'a, Msg> {
    let id = &account.id;
    let change = {
        let id = id.clone();
        move |change: SecurityChange| Msg::Security(id.clone(), change)
    };
    let policies = choices(
        i18n,
        &[
            (SrtpPolicy::Off, "srtp-off"),
            (SrtpPolicy::WhenOffered, "srtp-when-offered"),
            (SrtpPolicy::Required, "srtp-required"),
        ],
    );
    let srtp = menu(policies, account.srtp, {
        let change = change.clone();
        move |policy| change(SecurityChange::Srtp(policy))
    });
    let mut part = column![explained(
        labelled(i18n.tr("security-srtp"), srtp),
        i18n.tr(srtp_hint(account))
    )]
    .spacing(space::M);
    if shows_keepalive(account) {
        let mut seconds: Vec<u32> = KEEPALIVES.to_vec();
        if !seconds.contains(&account.keepalive_s) {
            seconds.push(account.keepalive_s);
            seconds.sort_unstable();
        }
        let intervals: Vec<Choice<u32>> = seconds
            .into_iter()
            .map(|s| Choice {
                value: s,
                label: match s {
                    0 => i18n.tr("keepalive-off"),
                    s => i18n.tr_args("keepalive-every", &[("seconds", &s.to_string())]),
                },
            })
            .collect();
        let keepalive = menu(intervals, account.keepalive_s, {
            let change = change.clone();
            move |seconds| change(SecurityChange::Keepalive(seconds))
        });
        part = part.push(explained(
            labelled(i18n.tr("security-keepalive"), keepalive),
            i18n.tr("security-keepalive-hint"),
        ));
    }
    if shows_direct_calls(account) {
        let who = choices(
            i18n,
            &[
                (DirectCalls::LocalNetwork, "direct-calls-local"),
                (DirectCalls::Anywhere, "direct-calls-anywhere"),
            ],
        );
        let direct = menu(who, account.direct_calls, move |who| {
            change(SecurityChange::DirectCalls(who))
        });
        let meaning = match account.direct_calls {
            DirectCalls::LocalNetwork => "security-direct-calls-hint-local",
            DirectCalls::Anywhere => "security-direct-calls-hint-anywhere",
        };
        part = part.push(explained(
            labelled(i18n.tr("security-direct-calls"), direct),
            i18n.tr(meaning),
        ));
    }
    part.into()
}

/// A setting with its hint close under it.
fn explained<'a>(setting: Element<'a, Msg>, why: String) -> Element<'a, Msg> {
    column![setting, hint(why)].spacing(space::XS).into()
}

/// A full-width menu of `options` with `current` chosen.
fn menu<'a, T>(
    options: Vec<Choice<T>>,
    current: T,
    on_pick: impl Fn(T) -> Msg + 'a,
) -> Element<'a, Msg>
where
    T: Copy + PartialEq + 'a,
{
    let selected = options.iter().find(|c| c.value == current).cloned();
    pick_list(options, selected, move |c: Choice<T>| on_pick(c.value))
        .text_size(size::BODY)
        .width(Length::Fill)
        .into()
}

#[cfg(test)]
mod tests {
    use super::super::Settings;
    use super::*;

    fn config() -> Config {
        let mut config = Config::default();
        config.accounts.push(AccountConfig {
            id: "work".into(),
            username: "2001".into(),
            domain: "example.com".into(),
            transport: Some(Transport::Tls),
            ..AccountConfig::default()
        });
        config.accounts.push(AccountConfig {
            id: "local".into(),
            username: "me".into(),
            domain: "127.0.0.1".into(),
            register: false,
            ..AccountConfig::default()
        });
        config
    }

    fn restarted(config: &Config, index: usize) -> Vec<Command> {
        vec![Command::SetAccount {
            account: Box::new(config.accounts[index].clone()),
        }]
    }

    #[test]
    fn picking_a_value_saves_the_line_and_restarts_it() {
        let mut config = config();
        let mut settings = Settings::default();
        let srtp = SecurityChange::Srtp(SrtpPolicy::Required);
        let effect = settings.update(&mut config, Msg::Security("work".into(), srtp));
        assert_eq!(config.accounts[0].srtp, SrtpPolicy::Required);
        assert_eq!(config.accounts[1].srtp, SrtpPolicy::WhenOffered, "kept");
        assert!(effect.save);
        assert_eq!(effect.commands, restarted(&config, 0));

        let effect = apply(&mut config, "work", SecurityChange::Keepalive(60));
        assert_eq!(config.accounts[0].keepalive_s, 60);
        assert!(effect.save);
        assert_eq!(effect.commands, restarted(&config, 0));
        apply(&mut config, "work", SecurityChange::Keepalive(u32::MAX));
        assert_eq!(config.accounts[0].keepalive_s, MAX_KEEPALIVE_S, "bounded");
        apply(&mut config, "work", SecurityChange::Keepalive(0));
        assert_eq!(config.accounts[0].keepalive_s, 0, "0 is none");

        let anywhere = SecurityChange::DirectCalls(DirectCalls::Anywhere);
        let effect = settings.update(&mut config, Msg::Security("local".into(), anywhere));
        assert_eq!(config.accounts[1].direct_calls, DirectCalls::Anywhere);
        assert_eq!(effect.commands, restarted(&config, 1));

        let effect = apply(&mut config, "local", anywhere);
        assert_eq!(effect, Effect::default(), "unchanged: nothing to do");
        let effect = apply(&mut config, "gone", anywhere);
        assert_eq!(effect, Effect::default(), "no such line");

        let dir = tempfile::tempdir().expect("dir");
        config.save_profile(dir.path()).expect("saved");
        let saved = Config::load_profile(dir.path()).expect("loads");
        assert_eq!(saved.accounts[0].srtp, SrtpPolicy::Required);
        assert_eq!(saved.accounts[0].keepalive_s, 0);
        assert_eq!(saved.accounts[1].direct_calls, DirectCalls::Anywhere);
    }

    #[test]
    fn a_line_that_is_off_is_saved_but_not_started() {
        let mut config = config();
        config.accounts[0].enabled = false;
        let effect = apply(&mut config, "work", SecurityChange::Srtp(SrtpPolicy::Off));
        assert_eq!(config.accounts[0].srtp, SrtpPolicy::Off);
        assert!(effect.save && effect.commands.is_empty());
    }

    #[test]
    fn off_tls_the_srtp_menu_says_no_keys_are_offered() {
        let mut config = config();
        assert_eq!(srtp_hint(&config.accounts[0]), "security-srtp-hint-tls");
        for transport in [None, Some(Transport::Udp), Some(Transport::Tcp)] {
            config.accounts[0].transport = transport;
            assert_eq!(srtp_hint(&config.accounts[0]), "security-srtp-hint-plain");
        }
        assert_eq!(srtp_hint(&config.accounts[1]), "security-srtp-hint-plain");
        let english = I18n::new(crate::i18n::Language::English);
        assert!(english.tr("security-srtp-hint-plain").contains("TLS"));
    }

    #[test]
    fn direct_calls_only_on_the_local_line_and_keep_alives_only_with_a_server() {
        let config = config();
        let (work, local) = (&config.accounts[0], &config.accounts[1]);
        assert!(!shows_direct_calls(work) && shows_keepalive(work));
        assert!(shows_direct_calls(local) && !shows_keepalive(local));
    }
}
