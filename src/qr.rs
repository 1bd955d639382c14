//! Table QR codes: the URL a guest's phone opens, rendered as SVG or PNG.

use qrcode::{render::svg, EcLevel, QrCode};

use crate::error::{AppError, AppResult};

/// What a table's QR code encodes.
pub fn table_url(public_url: &str, qr_slug: &str) -> String {
    format!("{}/t/{}", public_url.trim_end_matches('/'), qr_slug)
}

fn code(url: &str) -> AppResult<QrCode> {
    // Medium error correction survives a little grease on a printed card.
    QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .map_err(|err| AppError::internal(format!("QR encoding failed: {err}")))
}

pub fn svg(url: &str) -> AppResult<String> {
    Ok(code(url)?
        .render::<svg::Color>()
        .min_dimensions(256, 256)
        .quiet_zone(true)
        .build())
}

pub fn png(url: &str) -> AppResult<Vec<u8>> {
    let image = code(url)?
        .render::<image::Luma<u8>>()
        .min_dimensions(512, 512)
        .quiet_zone(true)
        .build();
    let mut bytes = Vec::new();
    image
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .map_err(|err| AppError::internal(format!("PNG encoding failed: {err}")))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_join_without_double_slashes() {
        assert_eq!(
            table_url("http://10.0.0.2:8080/", "abc"),
            "http://10.0.0.2:8080/t/abc"
        );
    }

    #[test]
    fn png_decodes_back_to_the_url() {
        let url = "http://192.168.1.10:8080/t/Zk3v9Qx_-a1b2c3d4e5f6g7";
        let bytes = png(url).unwrap();
        let image = image::load_from_memory(&bytes).unwrap().to_luma8();
        let mut prepared = rqrr::PreparedImage::prepare(image);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().unwrap();
        assert_eq!(content, url);
    }

    #[test]
    fn svg_is_an_svg() {
        assert!(svg("http://x/t/y").unwrap().contains("<svg"));
    }
}
