"""Entry point of the streaming job (spark-submit locally, EMR Serverless STREAMING job in AWS).

All settings come from PULSE_* environment variables (see talent_pulse/settings.py);
on EMR Serverless they are passed as spark.emr-serverless.driverEnv.* by `pulse deploy start-stream`.
"""

import argparse

from talent_pulse.settings import Settings
from talent_pulse.stream.job import run


def main() -> None:
    parser = argparse.ArgumentParser(description="Global Talent Pulse streaming job")
    parser.add_argument(
        "--until-idle", type=float, default=None, help="stop cleanly once no record has arrived for this many seconds"
    )
    args = parser.parse_args()
    run(Settings.from_env(), until_idle=args.until_idle)


if __name__ == "__main__":
    main()
