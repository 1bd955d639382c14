//! Browser tests of the admin pages.

#[allow(unused_imports)]
use crate::browser::{admin_tab, select_row, sign_in, untaxed_shop, Browser, LIVE, WAIT};
