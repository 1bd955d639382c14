//! The embedded web pages (`web/`), served by the binary itself: no CDN, works offline.

use poem::{endpoint::EmbeddedFilesEndpoint, Route};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "web/"]
struct Assets;

/// `/` and `/static/<file>`.
pub fn routes() -> Route {
    Route::new()
        .at(
            "/",
            poem::endpoint::EmbeddedFileEndpoint::<Assets>::new("index.html"),
        )
        .nest("/static", EmbeddedFilesEndpoint::<Assets>::new())
}
