//! Keyboard focus for buttons. iced's buttons cannot take the focus, only text fields can;
//! this wrapper makes any control take part in iced's focus order (Tab and Shift+Tab run
//! `focus_next`/`focus_previous` over fields and wrapped controls alike, in the order they are
//! laid out), draws a ring around the focused one and presses it with Enter or Space.

use iced::advanced::layout::{self, Layout};
use iced::advanced::renderer::{self, Quad};
use iced::advanced::widget::{operation, tree, Operation, Tree};
use iced::advanced::{mouse, overlay, Clipboard, Shell, Widget};
use iced::keyboard::{self, key::Named, Key};
use iced::{Border, Color, Element, Event, Length, Rectangle, Renderer, Size, Theme, Vector};

/// `content` (a button, usually) that Tab can reach; Enter or Space sends `on_activate`.
pub fn focusable<'a, M: Clone + 'a>(
    content: impl Into<Element<'a, M>>,
    on_activate: Option<M>,
) -> Element<'a, M> {
    Element::new(Focus {
        content: content.into(),
        on_activate,
    })
}

struct Focus<'a, M> {
    content: Element<'a, M>,
    on_activate: Option<M>,
}

#[derive(Debug, Default)]
struct State {
    focused: bool,
}

impl operation::Focusable for State {
    fn is_focused(&self) -> bool {
        self.focused
    }

    fn focus(&mut self) {
        self.focused = true;
    }

    fn unfocus(&mut self) {
        self.focused = false;
    }
}

/// Gap between a control and its focus ring, and the ring's width.
const RING_GAP: f32 = 2.0;
const RING_WIDTH: f32 = 2.0;

impl<M: Clone> Widget<M, Theme, Renderer> for Focus<'_, M> {
    fn tag(&self) -> tree::Tag {
        tree::Tag::of::<State>()
    }

    fn state(&self) -> tree::State {
        tree::State::new(State::default())
    }

    fn children(&self) -> Vec<Tree> {
        vec![Tree::new(&self.content)]
    }

    fn diff(&self, tree: &mut Tree) {
        tree.diff_children(std::slice::from_ref(&self.content));
    }

    fn size(&self) -> Size<Length> {
        self.content.as_widget().size()
    }

    fn layout(
        &mut self,
        tree: &mut Tree,
        renderer: &Renderer,
        limits: &layout::Limits,
    ) -> layout::Node {
        self.content
            .as_widget_mut()
            .layout(&mut tree.children[0], renderer, limits)
    }

    fn operate(
        &mut self,
        tree: &mut Tree,
        layout: Layout<'_>,
        renderer: &Renderer,
        operation: &mut dyn Operation,
    ) {
        // A control that cannot be pressed now is skipped by the focus order.
        if self.on_activate.is_some() {
            let state = tree.state.downcast_mut::<State>();
            operation.focusable(None, layout.bounds(), state);
        }
        self.content
            .as_widget_mut()
            .operate(&mut tree.children[0], layout, renderer, operation);
    }

    fn update(
        &mut self,
        tree: &mut Tree,
        event: &Event,
        layout: Layout<'_>,
        cursor: mouse::Cursor,
        renderer: &Renderer,
        clipboard: &mut dyn Clipboard,
        shell: &mut Shell<'_, M>,
        viewport: &Rectangle,
    ) {
        self.content.as_widget_mut().update(
            &mut tree.children[0],
            event,
            layout,
            cursor,
            renderer,
            clipboard,
            shell,
            viewport,
        );
        let state = tree.state.downcast_mut::<State>();
        match event {
            // The pointer takes over: the ring goes, as a text field's cursor does.
            Event::Mouse(mouse::Event::ButtonPressed(_)) if state.focused => {
                state.focused = false;
                shell.request_redraw();
            }
            Event::Keyboard(keyboard::Event::KeyPressed { key, .. })
                if state.focused && !shell.is_event_captured() =>
            {
                if matches!(key, Key::Named(Named::Enter | Named::Space)) {
                    if let Some(message) = &self.on_activate {
                        shell.publish(message.clone());
                    }
                    shell.capture_event();
                }
            }
            _ => {}
        }
    }

    fn mouse_interaction(
        &self,
        tree: &Tree,
        layout: Layout<'_>,
        cursor: mouse::Cursor,
        viewport: &Rectangle,
        renderer: &Renderer,
    ) -> mouse::Interaction {
        self.content.as_widget().mouse_interaction(
            &tree.children[0],
            layout,
            cursor,
            viewport,
            renderer,
        )
    }

    fn draw(
        &self,
        tree: &Tree,
        renderer: &mut Renderer,
        theme: &Theme,
        style: &renderer::Style,
        layout: Layout<'_>,
        cursor: mouse::Cursor,
        viewport: &Rectangle,
    ) {
        self.content.as_widget().draw(
            &tree.children[0],
            renderer,
            theme,
            style,
            layout,
            cursor,
            viewport,
        );
        if tree.state.downcast_ref::<State>().focused {
            use iced::advanced::Renderer as _;
            let ring = layout.bounds().expand(RING_GAP + RING_WIDTH);
            renderer.fill_quad(
                Quad {
                    bounds: ring,
                    border: Border {
                        color: theme.extended_palette().primary.base.color,
                        width: RING_WIDTH,
                        radius: (crate::style::RADIUS + RING_GAP).into(),
                    },
                    ..Quad::default()
                },
                Color::TRANSPARENT,
            );
        }
    }

    fn overlay<'b>(
        &'b mut self,
        tree: &'b mut Tree,
        layout: Layout<'b>,
        renderer: &Renderer,
        viewport: &Rectangle,
        translation: Vector,
    ) -> Option<overlay::Element<'b, M, Theme, Renderer>> {
        self.content.as_widget_mut().overlay(
            &mut tree.children[0],
            layout,
            renderer,
            viewport,
            translation,
        )
    }
}

/// Pressing a button by pointer or keyboard: `.press(msg)` instead of `.on_press(msg)` puts the
/// button in the focus order as well.
pub trait Press<'a, M> {
    fn press(self, message: M) -> Element<'a, M>;
    fn press_maybe(self, message: Option<M>) -> Element<'a, M>;
}

impl<'a, M: Clone + 'a> Press<'a, M> for iced::widget::Button<'a, M> {
    fn press(self, message: M) -> Element<'a, M> {
        self.press_maybe(Some(message))
    }

    fn press_maybe(self, message: Option<M>) -> Element<'a, M> {
        focusable(self.on_press_maybe(message.clone()), message)
    }
}
