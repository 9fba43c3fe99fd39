"""Stockton-on-Tees Borough Council's own words for its Council Plan statuses, as its export writes them."""

STATUS_LABELS = {
    1: "Achieved Target",
    2: "On Track to Achieve Target",
    3: "Slipped",
    4: "Target Not Achieved",
}
