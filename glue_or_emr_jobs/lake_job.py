"""Scheduled lake jobs on EMR Serverless: `lake_job.py maintain` (the code behind `pulse lake maintain`).

EMR ships Iceberg, so the session gets no jars of ours; settings come from the
PULSE_* environment (PULSE_LAKE_CATALOG=glue). See infra/lake_maintenance.tf.
"""

import sys

from talent_pulse.lake.maintenance import maintain
from talent_pulse.lake.session import lake_session
from talent_pulse.settings import Settings


def main(argv: list[str]) -> int:
    if argv != ["maintain"]:
        print("usage: lake_job.py maintain", file=sys.stderr)
        return 2
    settings = Settings.from_env()
    spark = lake_session(settings, app_name="talent-pulse-lake-maintenance")
    try:
        for report in maintain(spark, settings):
            print(report.summary(), flush=True)
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
