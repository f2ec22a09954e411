//! The tray icon, drawn in code as ARGB32 pixmaps so that no icon file can go missing: a round
//! badge in the colour of the state with a white handset (or a white bar for do-not-disturb),
//! a blue dot in the corner when there are missed calls, and a white arrow on the accent in
//! the other corner while calls are forwarded.

/// The sizes handed to the panel; it picks the nearest one.
pub(crate) const SIZES: [u16; 3] = [22, 32, 48];

/// What the badge says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Badge {
    /// Every line is registered: green handset.
    Online,
    /// Some lines are registered, some are not: amber handset.
    Degraded,
    /// Nothing is registered (or there are no lines): grey handset.
    Offline,
    /// Do not disturb: red badge with a white bar.
    DoNotDisturb,
}

/// One pixmap as the StatusNotifierItem spec wants it: width, height and ARGB32 in network
/// byte order (A, R, G, B per pixel), not premultiplied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pixmap {
    pub size: u16,
    pub argb: Vec<u8>,
}

/// The icon in every size of [`SIZES`].
pub(crate) fn draw_all(badge: Badge, missed_calls: bool, forwarding: bool) -> Vec<Pixmap> {
    SIZES
        .iter()
        .map(|&size| draw_with(size, badge, missed_calls, forwarding))
        .collect()
}

type Rgb = [f32; 3];

const WHITE: Rgb = [1.0, 1.0, 1.0];
const MISSED_DOT: Rgb = rgb(0x1e, 0x88, 0xe5);
const FORWARD_DOT: Rgb = rgb(0x6a, 0x1b, 0x9a);

const fn rgb(r: u8, g: u8, b: u8) -> Rgb {
    [r as f32 / 255.0, g as f32 / 255.0, b as f32 / 255.0]
}

fn badge_colour(badge: Badge) -> Rgb {
    match badge {
        Badge::Online => rgb(0x2e, 0x7d, 0x32),
        Badge::Degraded => rgb(0xe6, 0x8a, 0x00),
        Badge::Offline => rgb(0x75, 0x75, 0x75),
        Badge::DoNotDisturb => rgb(0xd3, 0x2f, 0x2f),
    }
}

/// [`draw_with`] without the forwarding arrow.
#[cfg(test)]
pub(crate) fn draw(size: u16, badge: Badge, missed_calls: bool) -> Pixmap {
    draw_with(size, badge, missed_calls, false)
}

/// Draws one size, with the forwarding arrow at the bottom right when `forwarding`. Shapes
/// are signed distance functions in units of the icon's width (0..1); their coverage of a
/// pixel gives anti-aliased edges without supersampling.
pub(crate) fn draw_with(size: u16, badge: Badge, missed_calls: bool, forwarding: bool) -> Pixmap {
    let n = usize::from(size);
    let scale = f32::from(size);
    let mut canvas = vec![[0.0f32; 4]; n * n];
    for (index, pixel) in canvas.iter_mut().enumerate() {
        let p = [
            ((index % n) as f32 + 0.5) / scale,
            ((index / n) as f32 + 0.5) / scale,
        ];
        let mut paint = |distance: f32, colour: Rgb| {
            over(pixel, colour, coverage(distance * scale));
        };
        paint(circle(p, [0.5, 0.5], 0.46), badge_colour(badge));
        match badge {
            Badge::DoNotDisturb => paint(capsule(p, [0.29, 0.5], [0.71, 0.5], 0.075), WHITE),
            _ => paint(handset(p), WHITE),
        }
        if missed_calls {
            paint(circle(p, [0.78, 0.22], 0.22), WHITE);
            paint(circle(p, [0.78, 0.22], 0.16), MISSED_DOT);
        }
        if forwarding {
            paint(circle(p, [0.78, 0.78], 0.22), WHITE);
            paint(circle(p, [0.78, 0.78], 0.17), FORWARD_DOT);
            paint(forward_arrow(p), WHITE);
        }
    }
    let mut argb = Vec::with_capacity(n * n * 4);
    for [r, g, b, a] in canvas {
        argb.extend([a, r, g, b].map(to_byte));
    }
    Pixmap { size, argb }
}

/// A telephone handset: a thick quarter arc (the handle) with a pad at each end (ear and mouth
/// pieces) pointing inwards, the earpiece at the top left.
fn handset(p: [f32; 2]) -> f32 {
    const CENTRE: [f32; 2] = [0.63, 0.37];
    const RADIUS: f32 = 0.30;
    let handle = arc(p, CENTRE, RADIUS, 0.06);
    let ear = capsule(p, [0.33, 0.37], [0.44, 0.37], 0.085);
    let mouth = capsule(p, [0.63, 0.67], [0.63, 0.56], 0.085);
    handle.min(ear).min(mouth)
}

/// A small arrow pointing right, centred in the forwarding corner.
fn forward_arrow(p: [f32; 2]) -> f32 {
    let shaft = capsule(p, [0.69, 0.78], [0.86, 0.78], 0.025);
    let upper = capsule(p, [0.80, 0.72], [0.86, 0.78], 0.025);
    let lower = capsule(p, [0.80, 0.84], [0.86, 0.78], 0.025);
    shaft.min(upper).min(lower)
}

/// The quarter of a ring between "pointing left" and "pointing down" (y grows downwards).
fn arc(p: [f32; 2], centre: [f32; 2], radius: f32, half_width: f32) -> f32 {
    let dx = p[0] - centre[0];
    let dy = p[1] - centre[1];
    if dx <= 0.0 && dy >= 0.0 {
        ((dx * dx + dy * dy).sqrt() - radius).abs() - half_width
    } else {
        let left = circle(p, [centre[0] - radius, centre[1]], half_width);
        let down = circle(p, [centre[0], centre[1] + radius], half_width);
        left.min(down)
    }
}

fn circle(p: [f32; 2], centre: [f32; 2], radius: f32) -> f32 {
    let dx = p[0] - centre[0];
    let dy = p[1] - centre[1];
    (dx * dx + dy * dy).sqrt() - radius
}

/// A segment from `a` to `b` with round ends, `radius` thick on each side.
fn capsule(p: [f32; 2], a: [f32; 2], b: [f32; 2], radius: f32) -> f32 {
    let ab = [b[0] - a[0], b[1] - a[1]];
    let ap = [p[0] - a[0], p[1] - a[1]];
    let length_squared = ab[0] * ab[0] + ab[1] * ab[1];
    let t = if length_squared > 0.0 {
        ((ap[0] * ab[0] + ap[1] * ab[1]) / length_squared).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let dx = ap[0] - ab[0] * t;
    let dy = ap[1] - ab[1] * t;
    (dx * dx + dy * dy).sqrt() - radius
}

/// How much of a pixel a shape covers, from its signed distance in pixels.
fn coverage(distance_px: f32) -> f32 {
    (0.5 - distance_px).clamp(0.0, 1.0)
}

/// Porter-Duff "over" with straight (not premultiplied) alpha.
fn over(pixel: &mut [f32; 4], colour: Rgb, alpha: f32) {
    if alpha <= 0.0 {
        return;
    }
    let below = pixel[3] * (1.0 - alpha);
    let out = alpha + below;
    for channel in 0..3 {
        pixel[channel] = (colour[channel] * alpha + pixel[channel] * below) / out;
    }
    pixel[3] = out;
}

fn to_byte(value: f32) -> u8 {
    (value.clamp(0.0, 1.0) * 255.0).round() as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pixel(pixmap: &Pixmap, x: usize, y: usize) -> [u8; 4] {
        let n = usize::from(pixmap.size);
        let i = (y * n + x) * 4;
        [
            pixmap.argb[i],
            pixmap.argb[i + 1],
            pixmap.argb[i + 2],
            pixmap.argb[i + 3],
        ]
    }

    #[test]
    fn every_size_is_square_argb32() {
        for pixmap in draw_all(Badge::Online, true, true) {
            let n = usize::from(pixmap.size);
            assert_eq!(pixmap.argb.len(), n * n * 4);
        }
        let sizes: Vec<u16> = draw_all(Badge::Offline, false, false)
            .iter()
            .map(|p| p.size)
            .collect();
        assert_eq!(sizes, SIZES);
    }

    #[test]
    fn corners_are_transparent_and_the_rim_has_the_state_colour() {
        for badge in [
            Badge::Online,
            Badge::Degraded,
            Badge::Offline,
            Badge::DoNotDisturb,
        ] {
            let icon = draw(48, badge, false);
            assert_eq!(
                pixel(&icon, 0, 47)[0],
                0,
                "{badge:?}: corner is transparent"
            );
            // a point inside the badge, away from the glyph: bottom middle near the rim
            let [a, r, g, b] = pixel(&icon, 24, 44);
            let [er, eg, eb] = badge_colour(badge).map(to_byte);
            assert_eq!((a, r, g, b), (255, er, eg, eb), "{badge:?}");
        }
    }

    #[test]
    fn the_missed_call_dot_sits_top_right_only_when_asked() {
        let with = draw(48, Badge::Online, true);
        let without = draw(48, Badge::Online, false);
        let [_, r, g, b] = pixel(&with, 37, 10);
        assert_eq!([r, g, b], MISSED_DOT.map(to_byte));
        assert_ne!(pixel(&without, 37, 10), pixel(&with, 37, 10));
        // the rest of the icon is unchanged
        assert_eq!(pixel(&with, 10, 40), pixel(&without, 10, 40));
    }

    #[test]
    fn the_forwarding_arrow_sits_bottom_right_only_when_asked() {
        let with = draw_with(48, Badge::Online, false, true);
        let without = draw(48, Badge::Online, false);
        // beside the arrow's shaft, inside the corner's dot
        let [_, r, g, b] = pixel(&with, 37, 32);
        assert_eq!([r, g, b], FORWARD_DOT.map(to_byte));
        // on the shaft: white
        let [a, r, g, b] = pixel(&with, 37, 37);
        assert_eq!((a, r, g, b), (255, 255, 255, 255));
        assert_ne!(pixel(&without, 37, 32), pixel(&with, 37, 32));
        assert_eq!(pixel(&with, 10, 10), pixel(&without, 10, 10));
    }

    #[test]
    fn the_glyph_is_white_and_differs_for_do_not_disturb() {
        let online = draw(48, Badge::Online, false);
        let dnd = draw(48, Badge::DoNotDisturb, false);
        // the middle of the handle (lower left of the centre) is handset, not bar
        let [a, r, g, b] = pixel(&online, 20, 28);
        assert_eq!((a, r, g, b), (255, 255, 255, 255));
        assert_ne!(pixel(&dnd, 20, 28)[1..], [255, 255, 255]);
        // the bar crosses the centre
        assert_eq!(pixel(&dnd, 24, 24), [255, 255, 255, 255]);
    }
}
