#!/usr/bin/python3
"""The web console in a real browser: headless Chromium, driven by Selenium through
chromedriver (Debian's chromium, chromium-driver and python3-selenium), against
`earshot demo --serve`, which plays the demo scenario and keeps serving it.

What it checks, each step a failure message of its own:
  - the demo's incidents appear on the incidents page;
  - an acknowledgement made on the page reaches the demo's PagerDuty as `acknowledge`, and a
    resolution made on an incident's page as `resolve`;
  - a CSRF-less change is refused (from the page's own origin and from a script with the cookie);
  - explain shows the cues and the rules for a pasted text;
  - the live feed shows a post made on the fake Mastodon, as it happens;
  - a hostile post renders as text, in the feed and on its incident page;
  - a silence added on the page mutes the next post of its rule (its incident's history says
    "silenced" and PagerDuty hears nothing of it);
  - a request from a non-loopback address, without credentials, is refused.
Screenshots of every page are kept in --artefacts.

Usage: browser_test.py --earshot PATH --artefacts DIR
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

HOSTILE = ('<script>document.title="pwned"</script><img src=x onerror="document.title=\'pwned\'">'
           ' @AcmeAir lost my bag in Denver and nobody answers')


class Failure(Exception):
    pass


def wait_for(what, predicate, timeout=30.0, interval=0.2):
    """Polls predicate() until it returns something truthy, and returns that; fails naming `what`."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception as error:  # a page mid-reload, a request refused: try again
            last_error = error
        time.sleep(interval)
    raise Failure(f'timed out after {timeout:.0f}s waiting for {what}'
                  + (f' (last error: {last_error})' if last_error else ''))


def http(method, url, body=None, headers=None):
    """(status, headers, body) of one request; never raises for an HTTP status."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


class Demo:
    """`earshot demo --serve` as a child process, and the addresses it prints."""

    def __init__(self, earshot, listen, log_path):
        self.log = open(log_path, 'w')
        self.process = subprocess.Popen([earshot, 'demo', '--serve', '--listen', listen],
                                        stdout=subprocess.PIPE, stderr=self.log, text=True)
        self.lines = []
        self.console = self.mastodon = self.pager = None
        deadline = time.monotonic() + 240
        for line in self.process.stdout:
            self.log.write(line)
            self.lines.append(line)
            if m := re.search(r'-- the console: (http://\S+)/incidents', line):
                self.console = m.group(1)
            if m := re.search(r"-H 'Authorization: Bearer kim' (http://\S+)/api/v1/statuses", line):
                self.mastodon = m.group(1)
            if m := re.search(r'heard: (http://\S+/v2/events)', line):
                self.pager = m.group(1)
            if 'serving until Ctrl-C' in line or time.monotonic() > deadline:
                break
        self.log.flush()
        if not (self.console and self.mastodon and self.pager):
            raise Failure('earshot demo --serve did not print its addresses:\n' + ''.join(self.lines))

    def post(self, author, text):
        """Posts on the fake Mastodon through its real API path, as `author`."""
        body = urllib.parse.urlencode({'status': text}).encode()
        status, _, answer = http('POST', f'{self.mastodon}/api/v1/statuses', body,
                                 {'Authorization': f'Bearer {author}',
                                  'Content-Type': 'application/x-www-form-urlencoded'})
        if status != 200:
            raise Failure(f'the fake Mastodon refused a post: {status} {answer}')
        return json.loads(answer)['id']

    def pager_events(self):
        return json.loads(http('GET', self.pager)[2])['events']

    def stop(self):
        self.process.send_signal(2)  # Ctrl-C: the demo stops and prints what happened
        try:
            rest, _ = self.process.communicate(timeout=60)
            self.log.write(rest or '')
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def browser(profile_dir):
    options = webdriver.ChromeOptions()
    options.binary_location = '/usr/bin/chromium'
    for flag in ('--headless=new', '--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu',
                 '--window-size=1280,1000', f'--user-data-dir={profile_dir}',
                 '--no-first-run', '--disable-extensions'):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service('/usr/bin/chromedriver'), options=options)


def non_loopback_address():
    """This host's address on its default route, or None (then that check is skipped)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(('192.0.2.1', 9))  # TEST-NET-1: no packet is sent by a UDP connect
            address = s.getsockname()[0]
            return None if address.startswith('127.') else address
    except OSError:
        return None


class ConsoleTest:
    def __init__(self, demo, driver, artefacts):
        self.demo, self.driver, self.artefacts = demo, driver, artefacts
        self.console = demo.console

    def open(self, path):
        self.driver.get(self.console + path)

    def shot(self, name):
        self.driver.save_screenshot(os.path.join(self.artefacts, f'{name}.png'))

    def api(self, path):
        """GET through the browser's own session, so the cookie is the page's."""
        script = ('const done = arguments[arguments.length - 1];'
                  'fetch(arguments[0], {credentials: "same-origin"})'
                  '.then(r => r.json().then(j => done([r.status, j])))'
                  '.catch(e => done([0, String(e)]));')
        return self.driver.execute_async_script(script, path)

    def incidents_appear(self):
        self.open('/incidents')
        rows = wait_for('incident rows on /incidents',
                        lambda: self.driver.find_elements(By.CSS_SELECTOR, '#incidents tbody tr'))
        ids = [r.get_attribute('data-id') for r in rows]
        if not any(i.startswith('inc-') for i in ids):
            raise Failure(f'the incidents page lists no incident ids: {ids}')
        summaries = ' '.join(r.text for r in rows)
        for expected in ('surge on rule brand-sucks-hashtag', '@dana_flies', '@lee.bsky.social'):
            if expected not in summaries:
                raise Failure(f'the incidents page does not show "{expected}":\n{summaries}')
        self.shot('incidents')
        print(f'incidents page: {len(rows)} incidents')

    def ack_reaches_pagerduty(self):
        paged = {e['dedup_key'] for e in self.demo.pager_events() if e['event_action'] == 'trigger'}
        self.open('/incidents?status=open')
        row = wait_for('an open incident that paged PagerDuty', lambda: next(
            (r for r in self.driver.find_elements(By.CSS_SELECTOR, '#incidents tbody tr')
             if r.get_attribute('data-id') in paged), None))
        incident = row.get_attribute('data-id')
        self.driver.find_element(By.ID, 'who').send_keys('sam\n')
        row.find_element(By.CSS_SELECTOR, 'button.ack').click()
        wait_for(f'PagerDuty to hear "acknowledge" for {incident}', lambda: any(
            e['event_action'] == 'acknowledge' and e['dedup_key'] == incident
            for e in self.demo.pager_events()), timeout=20)
        notice = self.driver.find_element(By.ID, 'notice').text
        if 'acknowledged by sam' not in notice:
            raise Failure(f'the page did not confirm the acknowledgement: "{notice}"')
        # The incident's page shows it, and the acknowledge delivered to the pager.
        self.open(f'/incident?id={incident}')
        wait_for('the acknowledgement on the incident page', lambda: 'acknowledged' in
                 self.driver.find_element(By.ID, 'state').text)
        wait_for('the acknowledge delivered to oncall-pager', lambda: any(
            'oncall-pager: done' in li.text and 'acknowledge' in li.text
            for li in self.driver.find_elements(By.CSS_SELECTOR, '#timeline li')))
        self.shot('incident')
        print(f'ack: {incident} acknowledged on the page, PagerDuty heard "acknowledge"')
        return incident

    def resolve_reaches_pagerduty(self):
        """Resolves another paged incident from its page: PagerDuty hears `resolve`."""
        paged = [e['dedup_key'] for e in self.demo.pager_events() if e['event_action'] == 'trigger']
        active = {i['id'] for i in self.api('/api/v1/incidents')[1]['incidents']
                  if i['status'] == 'open'}
        incident = next((i for i in paged if i in active), None)
        if incident is None:
            raise Failure(f'no open incident that paged PagerDuty to resolve: {paged} {active}')
        self.open(f'/incident?id={incident}')
        wait_for('the resolve button', lambda: self.driver.find_element(By.ID, 'resolve').is_displayed())
        self.driver.find_element(By.ID, 'resolve').click()
        wait_for(f'PagerDuty to hear "resolve" for {incident}', lambda: any(
            e['event_action'] == 'resolve' and e['dedup_key'] == incident
            for e in self.demo.pager_events()), timeout=20)
        wait_for('the incident page to say resolved', lambda: self.driver.find_element(
            By.ID, 'state').text.startswith('resolved'), timeout=15)
        print(f'resolve: {incident} resolved on its page, PagerDuty heard "resolve"')

    def csrf_refused(self, incident):
        # From the page's own origin, with its cookie, but without the token.
        status, body = self.driver.execute_async_script(
            'const done = arguments[arguments.length - 1];'
            'fetch("/api/v1/incidents/" + arguments[0] + "/ack", {method: "POST",'
            ' credentials: "same-origin", headers: {"Content-Type": "application/json"},'
            ' body: "{}"}).then(r => r.json().then(j => done([r.status, j])));', incident)
        if status != 403 or 'CSRF' not in body.get('error', ''):
            raise Failure(f'a change without the CSRF token was not refused: {status} {body}')
        # A script that stole the cookie but cannot read the token.
        cookie = self.driver.get_cookie('earshot_session')
        status, _, answer = http('POST', f'{self.console}/api/v1/silences',
                                 json.dumps({'matchers': 'rule=x', 'for': '1h'}).encode(),
                                 {'Cookie': f'earshot_session={cookie["value"]}',
                                  'Content-Type': 'application/json'})
        if status != 403:
            raise Failure(f'a silence without the CSRF token was not refused: {status} {answer}')
        # Another site's form: the Origin is not ours, even with the right token.
        token = self.api('/api/v1/session')[1]['csrf_token']
        status, _, answer = http('POST', f'{self.console}/api/v1/silences',
                                 json.dumps({'matchers': 'rule=x', 'for': '1h'}).encode(),
                                 {'Cookie': f'earshot_session={cookie["value"]}',
                                  'X-CSRF-Token': token, 'Origin': 'https://evil.example',
                                  'Content-Type': 'application/json'})
        if status != 403:
            raise Failure(f'a change from another origin was not refused: {status} {answer}')
        print('csrf: changes without the token, or from another origin, are refused (403)')

    def explain(self):
        self.open('/explain')
        self.driver.find_element(By.ID, 'text').send_keys(
            '@AcmeAir cancelled my flight to Boston and nobody rebooked me, stuck at the gate')
        self.driver.find_element(By.CSS_SELECTOR, '#explain-form button').click()
        text = wait_for('the explanation', lambda: self.driver.find_element(By.ID, 'explanation').text)
        for expected in ('complaint', 'rule'):
            if expected not in text:
                raise Failure(f'the explanation does not mention "{expected}":\n{text}')
        verdict = self.driver.find_element(By.ID, 'verdict').text
        if 'matched:' not in verdict:
            raise Failure(f'explain found no rule for a cancelled flight: "{verdict}"')
        self.shot('explain')
        print(f'explain: {verdict.splitlines()[-1]}')

    def feed_and_hostile_post(self):
        self.open('/feed')
        wait_for('the live feed to connect',
                 lambda: self.driver.find_element(By.ID, 'feed-state').text == 'live')
        title = self.driver.title
        posted = time.monotonic()
        status_id = self.demo.post('mallory', HOSTILE)
        entry = wait_for('the hostile post in the live feed', lambda: next(
            (e for e in self.driver.find_elements(By.CSS_SELECTOR, '#feed .post')
             if 'lost my bag in Denver and nobody answers' in e.text), None), timeout=15, interval=0.05)
        seen = time.monotonic() - posted
        # From the detection's publication in the daemon to the page (one host, one clock).
        pushed = (int(entry.get_attribute('data-shown')) -
                  self.driver.execute_script('return Date.parse(arguments[0]);', entry.get_attribute('data-at'))) / 1000
        text = entry.find_element(By.CSS_SELECTOR, '.text').text
        if '<script>' not in text or 'onerror=' not in text:
            raise Failure(f'the hostile post is not shown as its text: "{text}"')
        if entry.find_elements(By.CSS_SELECTOR, 'script, img'):
            raise Failure('the hostile post became markup in the feed')
        if self.driver.title != title:
            raise Failure(f'a script of the hostile post ran: the title is "{self.driver.title}"')
        self.shot('feed')
        print(f'feed: status {status_id} shown {seen:.2f}s after it was posted, {pushed:.3f}s after earshot '
              'detected it; its markup is text')
        # Its incident page shows it as text too.
        incident = wait_for('the hostile post\'s incident', lambda: next(
            (i['id'] for i in self.api('/api/v1/incidents?status=all')[1]['incidents']
             if '@mallory' in i['summary']), None))
        self.open(f'/incident?id={incident}')
        post = wait_for('the hostile post on its incident page', lambda: next(
            (p for p in self.driver.find_elements(By.CSS_SELECTOR, '#posts .post')
             if '<script>' in p.text), None))
        if post.find_elements(By.CSS_SELECTOR, 'script, img') or self.driver.title == 'pwned':
            raise Failure('the hostile post became markup on its incident page')
        self.shot('incident-hostile')
        return seen

    def silence_mutes_next_post(self):
        # The storm's surge inhibits the brand's pages while it lasts (a minute in the demo);
        # a silence is only visible once it is over.
        wait_for('the storm\'s surge to end', lambda: all(
            i['status'] == 'resolved' for i in self.api('/api/v1/incidents?status=all')[1]['incidents']
            if i['category'] == 'surge'), timeout=150, interval=1)
        self.open('/silences')
        self.driver.find_element(By.ID, 'matchers').send_keys('rule="cancelled-without-notice"')
        duration = self.driver.find_element(By.ID, 'for')
        duration.clear()
        duration.send_keys('2h')
        self.driver.find_element(By.ID, 'comment').send_keys('weather in Boston, known')
        self.driver.find_element(By.CSS_SELECTOR, '#silence-form button').click()
        wait_for('the new silence in the list', lambda: any(
            'cancelled-without-notice' in r.text and 'active' in r.text
            for r in self.driver.find_elements(By.CSS_SELECTOR, '#silences tbody tr')))
        self.shot('silences')
        time.sleep(1.5)  # the daemon re-reads active silences every second
        before = len(self.demo.pager_events())
        self.demo.post('rita', '@AcmeAir cancelled my flight to Boston, no rebooking, stuck at the gate')
        incident = wait_for('rita\'s incident', lambda: next(
            (i for i in self.api('/api/v1/incidents?status=all')[1]['incidents']
             if '@rita' in i['summary']), None))
        events = wait_for('the silence in rita\'s incident history', lambda: next(
            (d['events'] for d in [self.api(f'/api/v1/incidents/{incident["id"]}')[1]]
             if any(e['kind'] == 'silenced' for e in d['events'])), None))
        if incident["rule"] != "cancelled-without-notice":
            raise Failure(f'rita\'s post matched {incident["rule"]}, not the silenced rule')
        time.sleep(2)
        paged = [e for e in self.demo.pager_events()[before:] if e.get('dedup_key') == incident['id']]
        if paged:
            raise Failure(f'PagerDuty heard of a silenced incident: {paged}')
        print(f'silence: {incident["id"]} ' + next(e['reason'] for e in events if e['kind'] == 'silenced'))

    def sources_and_sinks(self):
        self.open('/sources')
        rows = wait_for('the sources', lambda: self.driver.find_elements(By.CSS_SELECTOR, '#sources tbody tr'))
        names = [r.get_attribute('data-name') for r in rows]
        for expected in ('mastodon:acmeair-sucks', 'jetstream:bluesky-firehose', 'reddit:acmeair'):
            if expected not in names:
                raise Failure(f'the sources page does not list {expected}: {names}')
        firehose = next(r for r in rows if r.get_attribute('data-name') == 'jetstream:bluesky-firehose')
        if not re.search(r'\d+\.\ds', firehose.text):
            raise Failure(f'the firehose shows no lag: "{firehose.text}"')
        self.shot('sources')
        self.open('/sinks')
        pager = wait_for('the pager on the sinks page', lambda: next(
            (r for r in self.driver.find_elements(By.CSS_SELECTOR, '#sinks tbody tr')
             if r.get_attribute('data-name') == 'oncall-pager'), None))
        delivered = int(pager.find_elements(By.CSS_SELECTOR, 'td')[1].text)
        if delivered < 1:
            raise Failure(f'the sinks page says the pager delivered nothing: "{pager.text}"')
        self.shot('sinks')
        print(f'sources: {len(rows)} listed; sinks: oncall-pager delivered {delivered}')

    def rules(self):
        self.open('/rules')
        rows = wait_for('the rules\' activity', lambda: self.driver.find_elements(By.CSS_SELECTOR, '#rules tbody tr'))
        rules = {r.get_attribute('data-rule'): r for r in rows}
        for expected in ('brand-sucks-hashtag', 'lost-baggage', 'cancelled-without-notice'):
            if expected not in rules:
                raise Failure(f'the rules page does not list {expected}: {sorted(rules)}')
        hits = int(rules['brand-sucks-hashtag'].find_elements(By.CSS_SELECTOR, 'td')[1].text)
        if hits < 7:
            raise Failure(f'brand-sucks-hashtag shows {hits} hits; the storm alone was 7')
        if not rules['brand-sucks-hashtag'].find_elements(By.CSS_SELECTOR, 'svg.chart rect.bar'):
            raise Failure('a rule has no chart of its hits')
        brand = wait_for('the complaints chart of acmeair', lambda: self.driver.find_elements(
            By.CSS_SELECTOR, '#brands [data-brand="acmeair"] svg.chart'))
        reload = self.driver.find_element(By.ID, 'reload').text
        if 'loaded cleanly' not in reload:
            raise Failure(f'the rules page does not say the rules loaded: "{reload}"')
        self.shot('rules')
        print(f'rules: {len(rows)} rules with activity; brand-sucks-hashtag {hits} hits; {len(brand)} brand chart')

    def non_loopback_refused(self, port):
        address = non_loopback_address()
        if address is None:
            print('non-loopback: skipped, this host has no address but loopback')
            return
        status, _, body = http('GET', f'http://{address}:{port}/api/v1/incidents')
        if status != 403 or 'console.secret_file' not in body:
            raise Failure(f'a request from {address} without credentials was not refused: {status} {body}')
        status, _, _ = http('GET', f'http://{address}:{port}/incidents')
        if status != 403:
            raise Failure(f'the incidents page was served to {address} without credentials: {status}')
        print(f'non-loopback: {address} without credentials is refused (403)')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--earshot', required=True)
    parser.add_argument('--artefacts', required=True)
    args = parser.parse_args()
    os.makedirs(args.artefacts, exist_ok=True)
    # Bound to every address, so that a request can come from a non-loopback one.
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    demo = Demo(args.earshot, f'0.0.0.0:{port}', os.path.join(args.artefacts, 'demo.log'))
    demo.console = f'http://127.0.0.1:{port}'
    profile = tempfile.mkdtemp(prefix='earshot-chromium-')
    driver = None
    try:
        driver = browser(profile)
        driver.set_script_timeout(15)
        test = ConsoleTest(demo, driver, args.artefacts)
        test.incidents_appear()
        incident = test.ack_reaches_pagerduty()
        test.csrf_refused(incident)
        test.resolve_reaches_pagerduty()
        test.explain()
        test.sources_and_sinks()
        test.rules()
        test.feed_and_hostile_post()
        test.non_loopback_refused(port)
        test.silence_mutes_next_post()
        print(f'console browser test: passed; screenshots in {args.artefacts}')
        return 0
    except Failure as failure:
        print(f'console browser test: FAILED: {failure}', file=sys.stderr)
        if driver is not None:
            driver.save_screenshot(os.path.join(args.artefacts, 'failure.png'))
        return 1
    finally:
        if driver is not None:
            driver.quit()
        demo.stop()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
