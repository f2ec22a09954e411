//! Icons: the Lucide set (ISC licence), drawn from its font so they take the text colour of
//! whatever holds them and scale with it. One glyph per action, named here, so every screen
//! shows the same picture for the same thing.

use iced::widget::{text, Text};
use iced::{alignment, Font};
use lucide_icons::Icon;

/// The font's bytes, loaded once when the window starts.
pub const FONT_BYTES: &[u8] = lucide_icons::LUCIDE_FONT_BYTES;
const FONT: Font = Font::with_name("lucide");

/// The actions and marks of the app, each with its one picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Glyph {
    Call,
    HangUp,
    Mute,
    Hold,
    Resume,
    Keypad,
    Transfer,
    AddCall,
    Contacts,
    History,
    Settings,
    Voicemail,
    Chat,
    Search,
    Favourite,
    Block,
    Incoming,
    Outgoing,
    Missed,
    Delete,
    Backspace,
    Add,
    Import,
    Edit,
    Close,
    Speaker,
    Microphone,
    Line,
    Appearance,
    Help,
    Advanced,
    Phone,
    MoveUp,
    MoveDown,
    /// A row's own page (a line's settings).
    Details,
    /// Record a greeting.
    Record,
    /// Stop a recording or what plays.
    StopSound,
    /// A stepper's smaller value (its larger one is `Add`).
    Less,
    SignIn,
    Save,
    Back,
    /// Save a copy elsewhere (a voicemail message as a file).
    Export,
    /// A voicemail message not heard yet / heard.
    Unheard,
    Heard,
    /// Send what the compose field holds.
    Send,
    /// Write to someone new.
    NewMessage,
    /// Send a failed message again.
    Retry,
    /// Watch an extension's busy lamp.
    Watch,
    /// Merge calls into a conference / take one out of it.
    Merge,
    Split,
    /// The people of a conference.
    Conference,
    /// Park a call on the line's park server.
    Park,
    /// A call's recording (a file to open).
    Recording,
    /// The padlock: a call's audio is encrypted both ways (SRTP).
    Encrypted,
}

impl Glyph {
    fn icon(self) -> Icon {
        match self {
            Glyph::Call | Glyph::Phone => Icon::Phone,
            Glyph::HangUp => Icon::PhoneOff,
            Glyph::Mute => Icon::MicOff,
            Glyph::Microphone => Icon::Mic,
            Glyph::Hold => Icon::Pause,
            Glyph::Resume => Icon::Play,
            Glyph::Keypad => Icon::Grid3x3,
            Glyph::Transfer => Icon::ArrowRightLeft,
            Glyph::AddCall => Icon::UserPlus,
            Glyph::Contacts => Icon::BookUser,
            Glyph::History => Icon::History,
            Glyph::Settings | Glyph::Advanced => Icon::Settings,
            Glyph::Voicemail => Icon::Voicemail,
            Glyph::Chat => Icon::MessageCircle,
            Glyph::Search => Icon::Search,
            Glyph::Favourite => Icon::Star,
            Glyph::Block => Icon::Ban,
            Glyph::Incoming => Icon::PhoneIncoming,
            Glyph::Outgoing => Icon::PhoneOutgoing,
            Glyph::Missed => Icon::PhoneMissed,
            Glyph::Delete => Icon::Trash2,
            Glyph::Backspace => Icon::Delete,
            Glyph::Add => Icon::Plus,
            Glyph::Import => Icon::FileUp,
            Glyph::Edit => Icon::Pencil,
            Glyph::Close => Icon::X,
            Glyph::Speaker => Icon::Volume2,
            Glyph::Line => Icon::Network,
            Glyph::Appearance => Icon::Palette,
            Glyph::Help => Icon::LifeBuoy,
            Glyph::SignIn => Icon::LogIn,
            Glyph::Save => Icon::Check,
            Glyph::Back => Icon::ArrowLeft,
            Glyph::MoveUp => Icon::ArrowUp,
            Glyph::MoveDown => Icon::ArrowDown,
            Glyph::Details => Icon::ChevronRight,
            Glyph::Record => Icon::CircleDot,
            Glyph::StopSound => Icon::Square,
            Glyph::Less => Icon::Minus,
            Glyph::Export => Icon::Download,
            Glyph::Unheard => Icon::Mail,
            Glyph::Heard => Icon::MailOpen,
            Glyph::Send => Icon::SendHorizontal,
            Glyph::NewMessage => Icon::SquarePen,
            Glyph::Retry => Icon::RotateCw,
            Glyph::Watch => Icon::Eye,
            Glyph::Merge => Icon::Merge,
            Glyph::Split => Icon::Split,
            Glyph::Conference => Icon::Users,
            Glyph::Park => Icon::SquareParking,
            Glyph::Recording => Icon::FileAudio,
            Glyph::Encrypted => Icon::Lock,
        }
    }
}

/// `glyph` as a text widget of `size` pixels.
pub fn icon<'a>(glyph: Glyph, size: f32) -> Text<'a> {
    text(char::from(glyph.icon()).to_string())
        .font(FONT)
        .size(size)
        .line_height(1.0)
        .align_x(alignment::Horizontal::Center)
        .align_y(alignment::Vertical::Center)
}
