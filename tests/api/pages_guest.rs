//! Browser tests of the guest pages (table menu, receipt) and the sign-in page.

#[allow(unused_imports)]
use crate::browser::{admin_tab, select_row, sign_in, untaxed_shop, Browser, LIVE, WAIT};
