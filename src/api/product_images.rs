//! Dish photos: `PUT/GET/DELETE /products/{id}/image`.

use poem::web::Data;
use poem_openapi::{
    param::{Header, Path, Query},
    payload::{Binary, Json},
    ApiResponse, Enum, OpenApi,
};
use uuid::Uuid;

use super::{forgets_menu, menu::ProductView, ApiTags};
use crate::{
    auth::Auth,
    error::AppResult,
    service::product_images::{self, ImageSize},
    state::AppState,
};

pub struct ProductImagesApi;

#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "lowercase")]
pub enum ImageSizeParam {
    /// At most 1024 px.
    Full,
    /// At most 256 px, for menus.
    Thumb,
}

#[derive(ApiResponse)]
pub enum ImageResponse {
    /// The photo as JPEG.
    #[oai(status = 200, content_type = "image/jpeg")]
    Ok(
        Binary<Vec<u8>>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
    ),
    /// The copy named by `If-None-Match` is still the photo.
    #[oai(status = 304)]
    NotModified(#[oai(header = "ETag")] String),
}

#[derive(ApiResponse)]
pub enum DeletedResponse {
    #[oai(status = 204)]
    Deleted,
}

#[OpenApi(tag = "ApiTags::Menu")]
impl ProductImagesApi {
    /// Upload a dish's photo (the body is the file: JPEG, PNG or WebP, at most 5 MiB). It is
    /// re-encoded as JPEG at most 1024 px with a 256 px thumbnail, its metadata dropped; not
    /// an image, a damaged one or one too big to unpack → `400 INVALID_IMAGE`, too large a
    /// file → `400 IMAGE_TOO_LARGE`. Answers the product with its new `image_url`.
    #[oai(
        path = "/products/:id/image",
        method = "put",
        operation_id = "put_product_image",
        transform = "forgets_menu"
    )]
    async fn put(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Binary<Vec<u8>>,
    ) -> AppResult<Json<ProductView>> {
        let actor = auth.0.staff()?;
        product_images::put(&state.db, actor, id.0, body.0).await?;
        let product = crate::service::products::get_product(&state.db, actor, id.0).await?;
        Ok(Json(product.into()))
    }

    /// A dish's photo (public, like the menu). Send `If-None-Match` with the `ETag` to get
    /// `304` while it has not changed.
    #[oai(
        path = "/products/:id/image",
        method = "get",
        operation_id = "get_product_image"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        id: Path<Uuid>,
        /// `full` (default) or `thumb`.
        size: Query<Option<ImageSizeParam>>,
        #[oai(name = "If-None-Match")] if_none_match: Header<Option<String>>,
    ) -> AppResult<ImageResponse> {
        let size = match size.0 {
            Some(ImageSizeParam::Thumb) => ImageSize::Thumb,
            _ => ImageSize::Full,
        };
        let (bytes, etag) = product_images::get(&state.db, id.0, size).await?;
        let quoted = format!("\"{etag}\"");
        let matches = if_none_match.0.as_deref().is_some_and(|header| {
            header
                .split(',')
                .map(|tag| tag.trim().trim_start_matches("W/"))
                .any(|tag| tag == quoted || tag == "*")
        });
        if matches {
            return Ok(ImageResponse::NotModified(quoted));
        }
        // Cached briefly, then revalidated: a new photo has a new ETag (and `image_url`).
        Ok(ImageResponse::Ok(
            Binary(bytes),
            quoted,
            "public, max-age=300".into(),
        ))
    }

    /// Remove a dish's photo.
    #[oai(
        path = "/products/:id/image",
        method = "delete",
        operation_id = "delete_product_image",
        transform = "forgets_menu"
    )]
    async fn delete(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<DeletedResponse> {
        product_images::delete(&state.db, auth.0.staff()?, id.0).await?;
        Ok(DeletedResponse::Deleted)
    }
}
