"""Time to draw a poster and a chart (Pillow, the installed CJK font), per size.

.venv/bin/python -m bench.posters [--runs 10]
"""

from __future__ import annotations

import argparse
import statistics
import time

from lostfound import charts, posters
from lostfound.posters import PosterSize, PosterText

TEXT = PosterText(
    station="东城派出所",
    title="关于对民警郑建明、实习学警吴一帆、东城蓝天救援队予以通报表扬的决定",
    paragraphs=[
        "2026年4月2日凌晨，东城区溪心桥下游江面，有群众不慎落水，民警郑建明、实习学警吴一帆、东城蓝天救援队闻警而动、"
        "奋力施救，将落水者安全救上岸。" * 2,
        "民警郑建明、实习学警吴一帆、东城蓝天救援队临危不惧、见义勇为。为弘扬正气、树立典型，东城派出所决定予以通报表扬。",
        "东城派出所",
        "2026年4月9日",
    ],
    footer="BY-DC-2026-001 · 2026-04-09 · 核验码 ABCD-EFGH-JKMN",
    verify_url="https://lostfound.example.gov.cn/verify?code=ABCDEFGHJKMN",
)


def _time(function, runs: int) -> tuple[float, float, int]:
    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        size = len(function())
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    posters.render(TEXT, PosterSize.PORTRAIT)  # load the fonts once
    print(f"{'what':<28}{'median ms':>10}{'max ms':>10}{'PNG KB':>10}")
    for size in PosterSize:
        median, worst, nbytes = _time(lambda size=size: posters.render(TEXT, size), runs)
        label = f"poster {size.name.lower()} {size.value[0]}x{size.value[1]}"
        print(f"{label:<28}{median:>10.0f}{worst:>10.0f}{nbytes / 1024:>10.0f}")
    series = [charts.Series("拾得物品", [3, 5, 8, 2, 9, 4, 6, 7, 3, 5, 8, 10], (12, 60, 140)),
              charts.Series("交还物品", [2, 4, 6, 1, 7, 3, 5, 6, 2, 4, 6, 8], (46, 140, 87))]  # fmt: skip
    labels = [f"{m}月" for m in range(1, 13)]
    median, worst, nbytes = _time(lambda: charts.bar_chart("拾得与交还", labels, series), runs)
    print(f"{'chart 1200x675':<28}{median:>10.0f}{worst:>10.0f}{nbytes / 1024:>10.0f}")


if __name__ == "__main__":
    main()
