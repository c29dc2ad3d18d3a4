# Set-up, run, test and check Mutuals. Everything installs into .venv from scratch.

PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3.13 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_TEST_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test
DEV_ENV := MUTUALS_DEV=1 MUTUALS_BASE_URL=http://127.0.0.1:8000
# The browser tests drive Debian's chromium (Playwright's own browser download is not used).
CHROMIUM := $(or $(MUTUALS_CHROMIUM),/usr/bin/chromium)
# Leaflet, for the directory's map: web/assets/package-lock.json pins it.
ASSETS := web/assets
LEAFLET := $(ASSETS)/node_modules/leaflet/dist/leaflet.js

.PHONY: install chromium run organizer test test-sqlite test-postgres screenshots messages check bench constraints clean

# constraints.txt pins every package to the versions the tests passed with.
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) $(LEAFLET) chromium

# npm ci, with npm from Debian's package, installed with apt-get when missing, as root.
# npm keeps the package's old file dates: the touch tells make it is done.
$(LEAFLET): $(ASSETS)/package.json $(ASSETS)/package-lock.json
	@command -v npm >/dev/null || [ "$$(id -u)" != 0 ] \
		|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq npm >/dev/null; }
	@command -v npm >/dev/null || { echo "npm is missing: the directory's map needs Leaflet" \
		"from npm (as root: apt-get install npm), then run make install again"; exit 1; }
	cd $(ASSETS) && npm ci --no-audit --no-fund --loglevel=error >/dev/null
	touch $@

EMOJI_FONT := /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf

# Debian's chromium for tests/browser, and an emoji font for its screenshots (events and
# offers start with emoji): installed with apt-get when missing, as root.
chromium:
	@{ test -x $(CHROMIUM) && test -e $(EMOJI_FONT); } || [ "$$(id -u)" != 0 ] \
		|| { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null; }
	@test -x $(CHROMIUM) || { echo "$(CHROMIUM) is missing: the browser tests need Debian's" \
		"chromium package (as root: apt-get install chromium fonts-noto-color-emoji)," \
		"or MUTUALS_CHROMIUM=/path/to/chromium"; exit 1; }

run: install
	$(DEV_ENV) $(BIN)/mutuals migrate
	$(DEV_ENV) $(BIN)/mutuals group create demo --display-name "Demo group" \
		--summary "A demo group of this development instance." --exist-ok
	$(DEV_ENV) $(BIN)/mutuals serve --host 127.0.0.1 --port 8000

# An account that organizes the demo group of `make run`: make organizer NAME=ana
organizer: install
	@test -n "$(NAME)" || { echo "usage: make organizer NAME=yourname"; exit 2; }
	$(DEV_ENV) $(BIN)/mutuals account create $(NAME) --admin
	$(DEV_ENV) $(BIN)/mutuals account grant $(NAME) demo organizer

test: test-sqlite test-postgres

test-sqlite: install
	MUTUALS_TEST_DATABASE=sqlite $(BIN)/python -m pytest -q

test-postgres: install
	@$(BIN)/python -c 'import asyncio, asyncpg, sys; asyncio.run(asyncpg.connect("$(PG_TEST_URL)".replace("+asyncpg", ""), timeout=5))' \
		|| { echo "PostgreSQL is not reachable at $(PG_TEST_URL): start it (see README) or set PG_TEST_URL"; exit 1; }
	MUTUALS_TEST_DATABASE=$(PG_TEST_URL) $(BIN)/python -m pytest -q

# Re-take the screenshots the browser tests make into docs/screenshots (for the README).
screenshots: install
	MUTUALS_TEST_DATABASE=sqlite MUTUALS_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/browser

# The errors a web page shows in its language: UserError and each subclass raised with a
# literal message in the packages of babel.cfg (tests/web/test_i18n.py finds any missing).
ERROR_KEYWORDS := UserError DocumentError EmptyText TextTooLong BadLanguage BadDates \
	UnknownTimezone UnknownRepeatRule BadPollOptions BadSkill BadTopic BadPlace BadDistance \
	AccountError BadPassword CodeRefused LinkError LoginRefused RoleError \
	GroupError ActorError ModerationError NetworkError BlocklistError GrievanceError DistributionError OverLimit SurveyError \
	VolunteerError NeedError TransparencyError

# Re-extract the interface's texts into each catalog (web/locale/LANG/LC_MESSAGES/mutuals.po);
# then translate the new entries. tests/web/test_i18n.py fails while one is untranslated.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ $(addprefix -k ,$(ERROR_KEYWORDS)) \
		--no-location --sort-output -o web/locale/mutuals.pot .
	$(BIN)/pybabel update -i web/locale/mutuals.pot -d web/locale -D mutuals -w 100 \
		--no-fuzzy-matching --ignore-obsolete
	rm web/locale/mutuals.pot

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The benchmarks (a few minutes each), then the production-path ones on SQLite and on
# PostgreSQL (PG_TEST_URL); figures and how to read them: benchmarks/README.md
bench: install
	for b in inbox_ingest fanout fanout_faults reads; do $(BIN)/python -m benchmarks.$$b || exit 1; done
	for database in "" "--postgres $(PG_TEST_URL)"; do \
		$(BIN)/python -m benchmarks.production_ingest $$database \
		&& $(BIN)/python -m benchmarks.production_fanout --faults $$database \
		&& $(BIN)/python -m benchmarks.production_follows $$database || exit 1; done

# Re-pin constraints.txt to the newest versions pyproject.toml allows; then run make test.
constraints:
	pin=$$(mktemp -d) && $(PYTHON) -m venv $$pin \
		&& $$pin/bin/python -m pip install --quiet --upgrade pip \
		&& $$pin/bin/python -m pip install --quiet -e '.[dev]' \
		&& { grep '^#' constraints.txt; $$pin/bin/python -m pip freeze --exclude-editable; } > constraints.txt.new \
		&& mv constraints.txt.new constraints.txt; status=$$?; rm -rf $$pin constraints.txt.new; exit $$status

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache *.egg-info $(ASSETS)/node_modules
