//! Dish photos: re-encoded at most 1024 px with a 256 px thumbnail and no metadata; bad,
//! damaged, oversized and bomb-like files are 400 and store nothing; ETags revalidate.

use image::{DynamicImage, GenericImageView, ImageFormat};
use kedai::auth::Role;
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use crate::helpers::{expect_json, expect_problem, gradient_image, TestApp};

/// A camera-sized JPEG with an EXIF block that names where it was taken.
fn camera_photo(width: u32, height: u32) -> Vec<u8> {
    let jpeg = gradient_image(width, height, ImageFormat::Jpeg);
    let exif = b"Exif\0\0GPS Jalan Sabang 12, Jakarta";
    let length = u16::try_from(exif.len() + 2).unwrap().to_be_bytes();
    let mut tagged = vec![0xFF, 0xD8, 0xFF, 0xE1, length[0], length[1]];
    tagged.extend_from_slice(exif);
    tagged.extend_from_slice(&jpeg[2..]);
    tagged
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A well-formed PNG that declares 60000×60000 pixels (14 GB unpacked) but holds none.
fn bomb() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let chunk = |png: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
        png.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        png.extend_from_slice(&body);
        png.extend_from_slice(&crc32(&body).to_be_bytes());
    };
    let mut header = Vec::new();
    header.extend_from_slice(&60_000u32.to_be_bytes());
    header.extend_from_slice(&60_000u32.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &header);
    chunk(
        &mut png,
        b"IDAT",
        &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut png, b"IEND", &[]);
    png
}

async fn photo(app: &TestApp, product: Uuid, size: &str) -> reqwest::Response {
    app.get(&format!("/products/{product}/image?size={size}"), None)
        .await
}

async fn decoded(response: reqwest::Response) -> DynamicImage {
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    let bytes = response.bytes().await.unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        !text.contains("Exif") && !text.contains("Jalan Sabang"),
        "metadata kept"
    );
    image::load_from_memory(&bytes).unwrap()
}

#[tokio::test]
async fn a_camera_photo_is_stored_small_with_a_thumbnail_and_no_metadata() {
    let app = crate::helpers::spawn_app().await;
    let shop = app.shop(&[25_000]).await;
    let product = shop.products[0];
    let (_, kasir) = app
        .staff(&shop.owner, "kasir", Role::Kasir, shop.outlet)
        .await;
    let original = camera_photo(4000, 3000);
    expect_problem(
        app.upload_photo(&kasir, product, original.clone()).await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    )
    .await;

    let stored = expect_json(
        app.upload_photo(&shop.owner, product, original).await,
        StatusCode::OK,
    )
    .await;
    let url = stored["image_url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&format!("/api/v1/products/{product}/image?v=")));
    let full = decoded(photo(&app, product, "full").await).await;
    assert_eq!(full.dimensions(), (1024, 768));
    let thumb = decoded(photo(&app, product, "thumb").await).await;
    assert_eq!(thumb.dimensions(), (256, 192));
    // The menu a guest reads carries the photo too.
    let menu = expect_json(
        app.get(
            &format!("/menu?outlet_id={}", shop.outlet),
            Some(&shop.owner),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert!(menu.to_string().contains(&url), "{menu}");

    // Revalidation: the same copy is 304, without a body.
    let first = photo(&app, product, "thumb").await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let again = app
        .request(
            reqwest::Method::GET,
            &format!("/products/{product}/image?size=thumb"),
            None,
        )
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert!(again.bytes().await.unwrap().is_empty());

    // A small photo is not enlarged; a new one changes the URL.
    let small = expect_json(
        app.upload_photo(&shop.owner, product, camera_photo(300, 200))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_ne!(small["image_url"], Value::String(url));
    let full = decoded(photo(&app, product, "full").await).await;
    assert_eq!(full.dimensions(), (300, 200));

    let path = format!("/products/{product}/image");
    assert_eq!(
        app.delete(&path, Some(&shop.owner)).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        photo(&app, product, "full").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn files_that_are_not_usable_photos_are_400_and_store_nothing() {
    let app = crate::helpers::spawn_app().await;
    let shop = app.shop(&[25_000]).await;
    let product = shop.products[0];
    let photo_bytes = camera_photo(800, 600);
    let truncated = photo_bytes[..photo_bytes.len() / 2].to_vec();
    let mut six_mib = photo_bytes.clone();
    six_mib.resize(6 * 1024 * 1024, 0);
    let cases: [(&str, Vec<u8>, &str); 4] = [
        (
            "a text file",
            b"nasi goreng, 25000".to_vec(),
            "INVALID_IMAGE",
        ),
        ("a truncated JPEG", truncated, "INVALID_IMAGE"),
        ("a 60000x60000 PNG", bomb(), "INVALID_IMAGE"),
        ("a 6 MiB file", six_mib, "IMAGE_TOO_LARGE"),
    ];
    for (what, body, code) in cases {
        let problem = expect_problem(
            app.upload_photo(&shop.owner, product, body).await,
            StatusCode::BAD_REQUEST,
            code,
        )
        .await;
        assert!(problem["detail"].is_string(), "{what}");
        let current = expect_json(
            app.get(&format!("/products/{product}"), Some(&shop.owner))
                .await,
            StatusCode::OK,
        )
        .await;
        assert!(current["image_url"].is_null(), "{what} stored something");
        assert_eq!(
            photo(&app, product, "full").await.status(),
            StatusCode::NOT_FOUND,
            "{what}"
        );
    }
    let rows = app.query_db("SELECT product_id FROM product_images").await;
    assert!(rows.is_empty());
}
