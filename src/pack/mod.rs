//! Containers that carry many outputs in one streamed response (`POST /v1/batch`): a ZIP of
//! stored files (`zip`), a PDF label sheet (`sheet` for the page geometry, `pdf` for the
//! streamed document). Pure: each writer appends bytes to a buffer the caller sends as it
//! goes, so nothing holds more than the entry or page being written.

pub mod pdf;
pub mod sheet;
pub mod zip;
