//! Benchmark: opening a page that carries 500 annotations, against the same page with
//! none, in the same window. Run under a display:
//! `xvfb-run -a cargo run --release -p quorum-e2e --bin annotation-bench -- 9`.
//! Timed inside the page: from the click that opens the document until page 1's image
//! and all its annotations are in place and two frames have been drawn.
#![allow(clippy::unwrap_used)] // a benchmark: a failed unwrap is a failed run

use quorum_core::{
    Annotation, AnnotationShape, Color, InkStroke, MemberId, PagePoint, PageRect, Visibility,
};
use quorum_core::{Clock, SystemClock};
use quorum_e2e::{AppWindow, runs_argument};
use serde_json::json;

const ANNOTATIONS: usize = 500;

/// 500 annotations spread over an A4 page: pen strokes, highlights, notes and boxes.
fn annotations(document: &quorum_core::Document, author: MemberId) -> Vec<Annotation> {
    (0..ANNOTATIONS)
        .map(|i| {
            let x = 60.0 + (i % 20) as f32 * 24.0;
            let y = 80.0 + (i / 20) as f32 * 28.0;
            let rect = PageRect {
                left: x,
                bottom: y,
                right: x + 20.0,
                top: y + 12.0,
            };
            let shape = match i % 10 {
                0..4 => AnnotationShape::Ink {
                    strokes: vec![InkStroke {
                        points: (0..20)
                            .map(|k| PagePoint {
                                x: x + k as f32,
                                y: y + (k % 3) as f32 * 4.0,
                            })
                            .collect(),
                        width: 2.0,
                    }],
                },
                4..7 => AnnotationShape::Highlight {
                    rects: vec![rect],
                    text: "ngân sách".into(),
                },
                7..9 => AnnotationShape::Note {
                    at: PagePoint { x, y },
                    text: format!("Ghi chú {i}"),
                },
                _ => AnnotationShape::Rectangle { rect },
            };
            Annotation {
                visibility: Visibility::Private,
                ..Annotation::private(
                    document.id,
                    document.current.sha256.clone(),
                    0,
                    author,
                    Color::Red,
                    shape,
                    SystemClock.now(),
                )
            }
        })
        .collect()
}

/// Opens the report and waits, in the page, until page 1 shows `want` annotations.
async fn open_and_draw(window: &AppWindow, want: usize) -> f64 {
    let script = r#"
        const [want, done] = arguments;
        const started = performance.now();
        document.querySelectorAll('[data-testid=open-document]')[1].click();
        const check = () => {
            const page = document.querySelector('[data-page="1"]');
            const drawn = page
                ? page.querySelectorAll('[data-testid=annotation], [data-testid=note]').length
                : 0;
            const image = page && page.querySelector('img');
            if (drawn >= want && image && image.complete && image.naturalWidth > 0) {
                requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - started)));
            } else {
                requestAnimationFrame(check);
            }
        };
        check();
    "#;
    let elapsed = window
        .client
        .execute_async(script, vec![json!(want)])
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    window.click("[data-testid=viewer-back]").await;
    window
        .wait_for_count("[data-testid=open-document]", 7)
        .await;
    elapsed
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

#[tokio::main]
async fn main() {
    let runs = runs_argument(9);
    let profile = tempfile::tempdir().unwrap();
    let window = AppWindow::launch(profile.path()).await;
    window.wait_for_count("[data-testid=meeting-row]", 1).await[0]
        .click()
        .await
        .unwrap();
    window
        .wait_for_count("[data-testid=open-document]", 7)
        .await;

    let mut none = Vec::new();
    for _ in 0..runs {
        none.push(open_and_draw(&window, 0).await);
    }

    // The window keeps its store open; SQLite lets this process add to it meanwhile.
    let mut store = quorum_store::Store::open(&profile.path().join("store.sqlite3")).unwrap();
    let summary = store.meetings(SystemClock.now()).unwrap().remove(0);
    let meeting = store.meeting(summary.id).unwrap();
    let report = meeting.documents().nth(1).unwrap();
    let author = MemberId::new_v7();
    for annotation in annotations(report, author) {
        store
            .save_annotation(&annotation, SystemClock.now())
            .unwrap();
    }
    let report = report.clone();
    drop(store);

    // The part that is the store and the IPC: the command alone, as the viewer calls it.
    let mut command = Vec::new();
    for _ in 0..runs {
        let script = format!(
            r#"
            const [done] = arguments;
            const started = performance.now();
            window.__TAURI_INTERNALS__
                .invoke('annotations', {{ sha256: '{}' }})
                .then((list) => done([performance.now() - started, list.length]));
        "#,
            report.current.sha256.as_str()
        );
        let answer = window.client.execute_async(&script, vec![]).await.unwrap();
        assert_eq!(
            answer[1], ANNOTATIONS,
            "the command returns every annotation"
        );
        command.push(answer[0].as_f64().unwrap());
    }

    let mut many = Vec::new();
    for _ in 0..runs {
        many.push(open_and_draw(&window, ANNOTATIONS).await);
    }
    window.close().await;
    println!(
        "open the 14-page report to page 1 drawn, {runs} runs each, same window: \
         no annotations median {:.0} ms; {ANNOTATIONS} annotations on page 1 median {:.0} ms \
         (slowest {:.0} ms); of which the annotations command (store + IPC) median {:.0} ms",
        median(none),
        median(many.clone()),
        many.iter().copied().fold(f64::MIN, f64::max),
        median(command)
    );
}
