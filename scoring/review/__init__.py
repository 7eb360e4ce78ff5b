"""The review workflow of SPEC §5: draft → in_review → notice (公示) → published.

Kept free of imports so that `scoring.results` may read review data without an
import cycle. The modules, in the order data flows through them:

* `calendar`  — Chinese working days (holidays and 调休) and notice windows;
* `schema`    — the review tables and the triggers that freeze a published run;
* `records`   — reading review records back (adjustments, flags, ties, …);
* `standings` — the effective standings: computed results + approved review;
* `items`     — what is still open (what `publish` refuses on, what `status` shows);
* `actions`   — every workflow action: role check, validation, change and audit
                entry in one transaction.
"""
