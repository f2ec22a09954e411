//! Translations: one Fluent file per language under `assets/i18n`, compiled into the binary so
//! that no file can go missing. The language comes from the settings, else the system locale,
//! else English; a message missing from a translation falls back to English.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    English,
    Spanish,
    Italian,
    Dutch,
}

impl Language {
    pub const ALL: [Language; 4] = [
        Language::English,
        Language::Spanish,
        Language::Italian,
        Language::Dutch,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Spanish => "es",
            Language::Italian => "it",
            Language::Dutch => "nl",
        }
    }

    /// The language's own name, as a language menu shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::Spanish => "Español",
            Language::Italian => "Italiano",
            Language::Dutch => "Nederlands",
        }
    }

    fn source(self) -> &'static str {
        match self {
            Language::English => include_str!("../assets/i18n/en.ftl"),
            Language::Spanish => include_str!("../assets/i18n/es.ftl"),
            Language::Italian => include_str!("../assets/i18n/it.ftl"),
            Language::Dutch => include_str!("../assets/i18n/nl.ftl"),
        }
    }

    /// `es`, `es-MX`, `nl_NL.UTF-8`, `it-IT@euro` ... -> the language we have for it.
    pub fn from_locale(locale: &str) -> Option<Language> {
        let primary = locale
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        Language::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The setting if it names a language we have, else the system's, else English.
    pub fn choose(setting: Option<&str>) -> Language {
        setting
            .and_then(Language::from_locale)
            .or_else(|| sys_locale::get_locale().and_then(|l| Language::from_locale(&l)))
            .unwrap_or(Language::English)
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.native_name())
    }
}

pub struct I18n {
    language: Language,
    bundle: FluentBundle<FluentResource>,
    english: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for I18n {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("I18n")
            .field("language", &self.language)
            .finish()
    }
}

fn bundle(language: Language) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = language.code().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Isolation marks render as boxes in the window's font.
    bundle.set_use_isolating(false);
    let resource = match FluentResource::try_new(language.source().to_string()) {
        Ok(resource) => resource,
        Err((resource, errors)) => {
            tracing::warn!(
                language = language.code(),
                ?errors,
                "translation has errors"
            );
            resource
        }
    };
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::warn!(language = language.code(), ?errors, "translation clashes");
    }
    bundle
}

impl I18n {
    pub fn new(language: Language) -> Self {
        Self {
            language,
            bundle: bundle(language),
            english: bundle(Language::English),
        }
    }

    pub fn language(&self) -> Language {
        self.language
    }

    pub fn tr(&self, key: &str) -> String {
        self.format(key, None)
    }

    pub fn tr_args(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, FluentValue::from(*value));
        }
        self.format(key, Some(&fluent_args))
    }

    /// For plural forms: `$count` is passed as a number.
    pub fn tr_count(&self, key: &str, count: u64) -> String {
        let mut fluent_args = FluentArgs::new();
        fluent_args.set("count", FluentValue::from(count));
        self.format(key, Some(&fluent_args))
    }

    fn format(&self, key: &str, args: Option<&FluentArgs>) -> String {
        for bundle in [&self.bundle, &self.english] {
            if let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                return bundle
                    .format_pattern(pattern, args, &mut errors)
                    .into_owned();
            }
        }
        key.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(language: Language) -> BTreeSet<String> {
        let resource = FluentResource::try_new(language.source().to_string())
            .unwrap_or_else(|(_, errors)| panic!("{} has errors: {errors:?}", language.code()));
        resource
            .entries()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
                _ => None,
            })
            .collect()
    }

    /// Every `tr("key"`, `tr_args("key"` and `tr_count("key"` literal in the app's sources.
    fn keys_used_in_sources() -> BTreeSet<String> {
        let mut used = BTreeSet::new();
        let mut dirs = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("src readable").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for call in ["tr(\"", "tr_args(\"", "tr_count(\""] {
                    for piece in text.split(call).skip(1) {
                        if let Some(end) = piece.find('"') {
                            let key = &piece[..end];
                            if key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                                used.insert(key.to_string());
                            }
                        }
                    }
                }
            }
        }
        used
    }

    #[test]
    fn every_language_has_every_message() {
        let english = keys(Language::English);
        assert!(english.len() > 50, "English has {} messages", english.len());
        for language in Language::ALL {
            let theirs = keys(language);
            let missing: Vec<_> = english.difference(&theirs).collect();
            let extra: Vec<_> = theirs.difference(&english).collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", language.code());
            assert!(
                extra.is_empty(),
                "{} has unknown {extra:?}",
                language.code()
            );
        }
    }

    #[test]
    fn every_message_the_code_asks_for_exists() {
        let english = keys(Language::English);
        let missing: Vec<_> = keys_used_in_sources()
            .into_iter()
            .filter(|k| !english.contains(k) && k != "key" && !k.starts_with("no-such"))
            .collect();
        assert!(missing.is_empty(), "not in en.ftl: {missing:?}");
    }

    #[test]
    fn locales_map_to_languages() {
        assert_eq!(Language::from_locale("es-MX"), Some(Language::Spanish));
        assert_eq!(Language::from_locale("nl_NL.UTF-8"), Some(Language::Dutch));
        assert_eq!(Language::from_locale("it-IT@euro"), Some(Language::Italian));
        assert_eq!(Language::from_locale("en"), Some(Language::English));
        assert_eq!(Language::from_locale("de-DE"), None);
        assert_eq!(Language::from_locale(""), None);
        assert_eq!(Language::choose(Some("nl")), Language::Dutch);
    }

    #[test]
    fn messages_format_with_arguments_and_fall_back() {
        let dutch = I18n::new(Language::Dutch);
        assert_ne!(dutch.tr("sign-in-title"), "sign-in-title");
        assert_ne!(
            dutch.tr("sign-in-title"),
            I18n::new(Language::English).tr("sign-in-title")
        );
        let missed = I18n::new(Language::English).tr_count("missed-calls", 3);
        assert!(missed.contains('3'), "{missed}");
        assert_eq!(dutch.tr("no-such-message"), "no-such-message");
    }
}
