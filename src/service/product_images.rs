//! Dish photos. An upload is decoded (JPEG, PNG or WebP, within pixel and memory limits, so a
//! decompression bomb is refused rather than unpacked), scaled to at most 1024 px and to a
//! 256 px thumbnail, and re-encoded as JPEG: what is stored is pixels only, never the file's
//! metadata (camera, GPS). Both sizes live in the database with the product.

use std::io::Cursor;

use chrono::Utc;
use image::{codecs::jpeg::JpegEncoder, DynamicImage, ImageFormat, ImageReader, Limits};
use sea_orm::{sea_query::OnConflict, ActiveModelTrait, EntityTrait, Set};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::products::{announce_change, visible_product};
use crate::{
    auth::{Action, Staff},
    db::Db,
    entity::{product, product_image},
    error::{AppError, AppResult},
};

/// The biggest upload taken.
pub const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;
/// Pixels on a side a photo may declare; a phone's camera stays well below.
const MAX_SIDE: u32 = 12_000;
/// Memory a decoder may allocate.
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;
pub const FULL_SIDE: u32 = 1024;
pub const THUMB_SIDE: u32 = 256;
const JPEG_QUALITY: u8 = 85;

/// Which of the stored sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageSize {
    Full,
    Thumb,
}

struct Encoded {
    full: Vec<u8>,
    thumb: Vec<u8>,
    width: u32,
    height: u32,
}

fn not_an_image(detail: impl Into<String>) -> AppError {
    AppError::bad_request("INVALID_IMAGE", detail)
}

/// Decodes, scales and re-encodes; CPU work, run off the async threads.
fn encode(bytes: &[u8]) -> AppResult<Encoded> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(AppError::bad_request(
            "IMAGE_TOO_LARGE",
            format!(
                "a photo is at most {} MiB",
                MAX_UPLOAD_BYTES / (1024 * 1024)
            ),
        ));
    }
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| not_an_image("the file could not be read"))?;
    match reader.format() {
        Some(ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) => {}
        _ => return Err(not_an_image("a photo is a JPEG, PNG or WebP file")),
    }
    if reader.format() == Some(ImageFormat::Jpeg) && !jpeg_is_complete(bytes) {
        return Err(not_an_image("the photo is cut short; upload it again"));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|err| match err {
        image::ImageError::Limits(_) => not_an_image(format!(
            "the photo is too big to unpack (at most {MAX_SIDE} px on a side)"
        )),
        _ => not_an_image("the photo is damaged or not a JPEG, PNG or WebP"),
    })?;
    let full = scaled(&decoded, FULL_SIDE);
    let thumb = scaled(&decoded, THUMB_SIDE);
    Ok(Encoded {
        width: full.width(),
        height: full.height(),
        full: jpeg(&full)?,
        thumb: jpeg(&thumb)?,
    })
}

/// Whether a JPEG's last scan is followed by its end marker. The decoder fills a cut-off
/// photo in with grey rather than failing; a half-uploaded photo must not reach the menu.
/// Scan data cannot hold these markers (a 0xFF there is followed by 0x00 or a restart
/// marker), so the last start-of-scan is the image's own, not an embedded thumbnail's.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let marker = |code: u8| move |pair: &[u8]| pair == [0xFF, code];
    let Some(last_scan) = bytes.windows(2).rposition(marker(0xDA)) else {
        return false;
    };
    bytes
        .get(last_scan..)
        .is_some_and(|rest| rest.windows(2).any(marker(0xD9)))
}

/// At most `side` on the longest side; never enlarged. JPEG has no alpha: flattened on white.
fn scaled(image: &DynamicImage, side: u32) -> DynamicImage {
    let fitted = if image.width() > side || image.height() > side {
        image.resize(side, side, image::imageops::FilterType::Triangle)
    } else {
        image.clone()
    };
    let mut canvas =
        image::RgbImage::from_pixel(fitted.width(), fitted.height(), image::Rgb([255, 255, 255]));
    let rgba = fitted.to_rgba8();
    for (x, y, pixel) in rgba.enumerate_pixels() {
        let [r, g, b, a] = pixel.0;
        let over = |c: u8| {
            let (c, a) = (u16::from(c), u16::from(a));
            u8::try_from((c * a + 255 * (255 - a)) / 255).unwrap_or(255)
        };
        canvas.put_pixel(x, y, image::Rgb([over(r), over(g), over(b)]));
    }
    DynamicImage::ImageRgb8(canvas)
}

fn jpeg(image: &DynamicImage) -> AppResult<Vec<u8>> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(image)
        .map_err(AppError::internal)?;
    Ok(out)
}

/// Stores a new photo for the product (replacing any), and tells the menus.
pub async fn put(
    db: &Db,
    actor: &Staff,
    product_id: Uuid,
    bytes: Vec<u8>,
) -> AppResult<product::Model> {
    let current = visible_product(db, actor, product_id).await?;
    actor.authorize(Action::ManageMenu)?;
    let encoded = tokio::task::spawn_blocking(move || encode(&bytes))
        .await
        .map_err(AppError::internal)??;
    let digest = Sha256::digest(&encoded.full);
    let etag: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let now = Utc::now();
    let txn = db.begin().await?;
    product_image::Entity::insert(product_image::ActiveModel {
        product_id: Set(current.id),
        etag: Set(etag.clone()),
        full: Set(encoded.full),
        thumb: Set(encoded.thumb),
        width: Set(i32::try_from(encoded.width).unwrap_or(i32::MAX)),
        height: Set(i32::try_from(encoded.height).unwrap_or(i32::MAX)),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(product_image::Column::ProductId)
            .update_columns([
                product_image::Column::Etag,
                product_image::Column::Full,
                product_image::Column::Thumb,
                product_image::Column::Width,
                product_image::Column::Height,
                product_image::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec(&txn)
    .await?;
    let mut model: product::ActiveModel = current.into();
    model.image_etag = Set(Some(etag));
    model.updated_at = Set(now);
    let updated = model.update(&txn).await?;
    announce_change(&txn, &updated).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Takes the photo away.
pub async fn delete(db: &Db, actor: &Staff, product_id: Uuid) -> AppResult<()> {
    let current = visible_product(db, actor, product_id).await?;
    actor.authorize(Action::ManageMenu)?;
    if current.image_etag.is_none() {
        return Err(AppError::not_found("photo"));
    }
    let txn = db.begin().await?;
    product_image::Entity::delete_by_id(current.id)
        .exec(&txn)
        .await?;
    let mut model: product::ActiveModel = current.into();
    model.image_etag = Set(None);
    model.updated_at = Set(Utc::now());
    let updated = model.update(&txn).await?;
    announce_change(&txn, &updated).await?;
    txn.commit().await?;
    Ok(())
}

/// A photo as stored: its bytes (JPEG) and ETag. Photos are public, like the menu they are
/// on: the guest page shows them with a plain `<img>`.
pub async fn get(db: &Db, product_id: Uuid, size: ImageSize) -> AppResult<(Vec<u8>, String)> {
    let image = product_image::Entity::find_by_id(product_id)
        .one(db.conn())
        .await?
        .ok_or_else(|| AppError::not_found("photo"))?;
    let etag = match size {
        ImageSize::Full => format!("{}-full", image.etag),
        ImageSize::Thumb => format!("{}-thumb", image.etag),
    };
    let bytes = match size {
        ImageSize::Full => image.full,
        ImageSize::Thumb => image.thumb,
    };
    Ok((bytes, etag))
}
