//! The registry: one file per symbology, each exporting one `Spec`, and the one list below.
//! Adding a symbology is its file (spec and encoder) plus its line in `specs!` — the order
//! of the list is the order of `/v1/symbologies`.

/// Declares each spec file and the table of their specs.
macro_rules! specs {
    ($($name:ident),* $(,)?) => {
        $(pub mod $name;)*
        /// Every served symbology's spec, in the order `/v1/symbologies` lists them.
        pub static ALL: &[&super::spec::Spec] = &[$(&$name::SPEC),*];
    };
}

specs! {
    ean13,
    ean8,
    isbn,
    upca,
    upce,
    itf,
    itf14,
    databar,
    databar_truncated,
    databar_stacked,
    databar_stacked_omni,
    databar_limited,
    databar_expanded,
    databar_expanded_stacked,
    code128,
    gs1_128,
    code39,
    code93,
    codabar,
    code11,
    msi,
    pharmacode,
    pzn,
    code32,
    imb,
    rm4scc,
    kix,
    auspost,
    qr,
    microqr,
    rmqr,
    datamatrix,
    pdf417,
    micropdf417,
    aztec,
    maxicode,
    dotcode,
}
