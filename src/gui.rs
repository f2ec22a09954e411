//! The desktop window. For now a minimal one that shows the lines configured; the full app
//! (sign-in, dialer, call screen, tray) speaks the same Command/Event vocabulary.

use iced::widget::{column, text};
use iced::Element;
use parla_core::Config;
use std::path::PathBuf;

struct Window {
    lines: Vec<String>,
    profile: PathBuf,
}

#[derive(Debug, Clone)]
enum Message {}

pub fn run(config: Config, profile: PathBuf) -> anyhow::Result<()> {
    let lines = config
        .accounts
        .iter()
        .map(|a| format!("{} <sip:{}@{}>", a.id, a.username, a.domain))
        .collect();
    let boot = move || Window {
        lines: std::mem::take(&mut Vec::clone(&lines)),
        profile: profile.clone(),
    };
    iced::application(boot, update, view)
        .title("Parla")
        .window_size(iced::Size::new(360.0, 480.0))
        .run()
        .map_err(|e| anyhow::anyhow!("the window could not open: {e}"))
}

fn update(_window: &mut Window, message: Message) {
    match message {}
}

fn view(window: &Window) -> Element<'_, Message> {
    let mut content = column![text("Parla").size(28)].spacing(12).padding(20);
    if window.lines.is_empty() {
        content = content.push(text(format!(
            "No lines yet: add an account to {}",
            window.profile.join("config.toml").display()
        )));
    }
    for line in &window.lines {
        content = content.push(text(line.clone()));
    }
    content.into()
}
