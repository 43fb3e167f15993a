# Global Talent Pulse — the front door. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
PYTEST_ARGS ?=
BUILD := build

.PHONY: help install demo demo-stop lint test test-fast docs bench package-lambda package-job jars artifacts image image-pin infra-tools deploy destroy clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

install: ## install the project and its test and lint tools (pip), check system prerequisites
	@bash .ci/prerequisites.sh
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -e ".[test,lint]"

demo: install ## local stack + streaming job + producer + dashboard, all on 127.0.0.1
	pulse local up
	pulse demo start
	@echo "stop it with: make demo-stop"

demo-stop: ## stop the demo pipeline and the local stack
	-pulse demo stop
	pulse local down

lint: ## ruff (lint and format) over the repository, strict mypy over talent_pulse/, no merge conflict markers
	@if git grep -nE '^(<<<<<<<|>>>>>>>)( |$$)'; then echo "lint: merge conflict markers in the lines above: resolve them"; exit 1; fi
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m mypy

test: install infra-tools ## install what is missing, then run the whole suite against real services
	$(PYTHON) -m pytest $(PYTEST_ARGS)

test-fast: ## unit tests only (no services)
	$(PYTHON) -m pytest tests/unit $(PYTEST_ARGS)

docs: ## rewrite the docs' generated tables (settings, Redis keys, lake columns, contract) from the code
	$(PYTHON) -m talent_pulse.docs_tables

bench: ## benchmarks at full size (prints ours vs the reference design)
	$(PYTHON) tests/bench/bench_skills.py
	$(PYTHON) tests/bench/bench_producer.py
	$(PYTHON) tests/bench/bench_serving.py
	$(PYTHON) tests/bench/bench_stream.py
	$(PYTHON) tests/bench/bench_dashboard.py
	$(PYTHON) tests/bench/bench_dashboard_visible.py
	$(PYTHON) tests/bench/bench_lake.py
	$(PYTHON) tests/bench/bench_lake_objects.py

infra-tools: ## build OpenTofu and tflint from Go module source (cached)
	bash infra/checks/build_tools.sh

package-lambda: ## build/lambda-producer.zip for the Lambda producer
	bash lambdas/producer/build.sh

package-job: ## build/talent_pulse.zip (--py-files for EMR Serverless)
	@mkdir -p $(BUILD)
	rm -f $(BUILD)/talent_pulse.zip
	zip -qr $(BUILD)/talent_pulse.zip talent_pulse -x '*/__pycache__/*' '*.pyc'
	@echo "wrote $(BUILD)/talent_pulse.zip"

jars: ## build/jars: the jars EMR Serverless needs (the skill matcher, Kafka connector, MSK IAM auth)
	@mkdir -p $(BUILD)/jars
	mvn -q -B -f glue_or_emr_jobs/skill-matcher/pom.xml package -Dmatcher.build.dir=$(abspath $(BUILD))/skill-matcher
	cp $(BUILD)/skill-matcher/talent-pulse-skill-matcher.jar $(BUILD)/jars/
	mvn -q -B -f glue_or_emr_jobs/pom.xml dependency:copy-dependencies -DoutputDirectory=$(abspath $(BUILD))/jars
	@ls -1 $(BUILD)/jars

artifacts: package-lambda package-job jars ## every artifact the deployment needs (uploads + runtime image inputs)

image: jars ## build and push the streaming job's EMR Serverless runtime image (Python packages + jars)
	bash infra/scripts/image.sh

image-pin: ## pin the EMR base image by digest: make image-pin EMR_BASE_IMAGE=<reference>
	bash infra/scripts/pin_base_image.sh "$(EMR_BASE_IMAGE)"

deploy: artifacts ## build, push both images, stop the stream, terraform apply, start the stream
	bash infra/scripts/deploy.sh

destroy: ## stop the stream and terraform destroy
	bash infra/scripts/destroy.sh

clean: ## remove build outputs and local stack state
	rm -rf $(BUILD) .pulse test-artifacts
