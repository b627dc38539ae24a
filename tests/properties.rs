//! Property tests: no input makes a validator, encoder, renderer or the request parser
//! panic; valid inputs always encode; invalid ones give typed errors.

use barcoded::api::{describe as parse_api, options};
use barcoded::http::head::{parse, HeadLimits};
use barcoded::reader::{self, DecodeLimits};
use barcoded::render::{bitmap::Bitmap, layout, png, svg};
use barcoded::symbology::{encode, EncodeOptions, Symbology};
use proptest::prelude::*;

fn any_symbology() -> impl Strategy<Value = Symbology> {
    prop::sample::select(Symbology::all().collect::<Vec<_>>())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_never_panic(sym in any_symbology(), data in prop::collection::vec(any::<u8>(), 0..120)) {
        let _ = encode(sym, &data, &EncodeOptions::default());
    }

    #[test]
    fn any_text_never_panics(sym in any_symbology(), data in "\\PC{0,60}") {
        let _ = encode(sym, data.as_bytes(), &EncodeOptions::default());
    }

    #[test]
    fn any_query_never_panics(sym in any_symbology(), q in "[a-z_=&%0-9A-F.]{0,80}") {
        let _ = options::parse(sym, options::Format::from_ext(b"png").unwrap(), q.as_bytes(), true);
    }

    #[test]
    fn any_head_never_panics(buf in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = parse(&buf, HeadLimits { max_uri: 64, max_header_bytes: 128 });
    }

    #[test]
    fn any_code_parses_without_panic(code in "\\PC{0,80}", raw in prop::collection::vec(any::<u8>(), 0..80)) {
        let v = parse_api::describe(&parse_api::ParseRequest { code, symbology: None });
        prop_assert!(v.get("valid").is_some());
        let s = String::from_utf8_lossy(&raw).into_owned();
        for form in [format!("({s}"), format!("]C1{s}"), format!("https://x.org/01/{s}"), format!("(01)0950600013435{s}")] {
            let v = parse_api::describe(&parse_api::ParseRequest { code: form, symbology: None });
            prop_assert!(v.get("candidates").is_some());
        }
    }

    #[test]
    fn any_bytes_as_image_never_panic(body in prop::collection::vec(any::<u8>(), 0..300), png in any::<bool>()) {
        let l = DecodeLimits::default();
        let mut b = body;
        if png {
            b.splice(0..0, *b"\x89PNG\r\n\x1a\n");
        }
        if let Ok(bytes) = reader::image_bytes(&b, Some(b"image/png"), &l) {
            let _ = reader::luma(&bytes, &l);
        }
        let _ = reader::image_bytes(&b, Some(b"text/plain"), &l);
        let _ = reader::image_bytes(&b, Some(b"application/json"), &l);
    }

    #[test]
    fn valid_gtins_encode(d in "[0-9]{12}") {
        let e = encode(Symbology::from_name(b"ean13").unwrap(), d.as_bytes(), &EncodeOptions::default()).unwrap();
        prop_assert!(e.canonical.starts_with(&d));
        let e = encode(Symbology::from_name(b"upca").unwrap(), &d.as_bytes()[..11], &EncodeOptions::default()).unwrap();
        prop_assert_eq!(e.canonical.len(), 12);
        let e = encode(Symbology::from_name(b"ean8").unwrap(), &d.as_bytes()[..7], &EncodeOptions::default()).unwrap();
        prop_assert_eq!(e.canonical.len(), 8);
        prop_assert!(encode(Symbology::from_name(b"itf14").unwrap(), &d.as_bytes()[..12], &EncodeOptions::default()).is_err());
    }

    #[test]
    fn valid_text_encodes_everywhere(data in "[ -~]{1,40}") {
        for sym in [Symbology::from_name(b"code128").unwrap(), Symbology::from_name(b"code93").unwrap(), Symbology::from_name(b"qr").unwrap(), Symbology::from_name(b"datamatrix").unwrap(), Symbology::from_name(b"pdf417").unwrap(), Symbology::from_name(b"aztec").unwrap()] {
            let e = encode(sym, data.as_bytes(), &EncodeOptions::default());
            prop_assert!(e.is_ok(), "{:?} {:?} {:?}", sym, data, e.err());
            prop_assert_eq!(e.unwrap().canonical, data.clone());
        }
    }

    #[test]
    fn rendering_any_valid_request_never_panics(
        sym in any_symbology(),
        data in "[0-9]{12}",
        q in prop::sample::select(vec![
            "", "scale=1", "scale=7&rotate=90", "quiet=0&text=false", "fg=ff000080&bg=00000000&rotate=270",
            "height=1", "dpi=600", "xdim=0.25&dpi=203", "rotate=180&scale=3",
        ]),
    ) {
        if let Ok(p) = options::parse(sym, options::Format::from_ext(b"png").unwrap(), q.as_bytes(), true) {
            if let Ok(e) = encode(sym, data.as_bytes(), &p.encode) {
                let l = layout::layout(&e.symbol, &p.render, 16_000_000).unwrap();
                let bm = Bitmap::from_layout(&l).rotate(p.render.rotate);
                let out = png::encode(&bm, &p.render);
                prop_assert_eq!(&out[..8], b"\x89PNG\r\n\x1a\n");
                let s = svg::encode(&l, &p.render);
                prop_assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
            }
        }
    }
}
