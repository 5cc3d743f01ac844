"""What a reader gets from a post, for the secret guard (policy 8.5, 8.6)."""
from portal.policy.reading import flowed, html_text, normalise
from portal.policy.secrets import find_secrets


def test_normalise_folds_the_tricks_a_reader_does_not_see():
    assert normalise("p\u0430ssword") == "password"            # Cyrillic a among Latin letters
    assert normalise("\uff50\uff57\uff44\uff1a") == "pwd:"     # fullwidth
    assert normalise("pa\u200bss\u00adwo\u2060rd\ufeff") == "password"  # zero-width, soft hyphen
    assert normalise("\u0664\u0665\u0666") == "456"            # Arabic-Indic digits
    assert normalise("PV\u20114K9P\u2013T7WQ") == "PV-4K9P-T7WQ"  # non-breaking hyphen, en dash
    assert normalise("\u03a1assword") == "Password"            # Greek capital rho


def test_normalise_keeps_words_of_other_scripts():
    assert normalise("пароль: Зима2026") == "пароль: Зима2026"  # Russian stays Russian
    assert find_secrets("мой пароль: Зима2026!х").found


def test_html_text_pairs_table_headers_with_cells_and_decodes_entities():
    html = ("<table><thead><tr><th>user</th><th>password</th></tr></thead><tbody>"
            "<tr><td>admin</td><td>S&amp;mmer1</td></tr></tbody></table><p>next &lt;b&gt;</p>")
    assert html_text(html) == "user | password\nuser: admin, password: S&mmer1\nnext <b>"


def test_html_text_shows_link_targets_and_keeps_blocks_apart():
    text = html_text('<p><a href="https://x.test/a">docs</a> here</p><p>second</p>')
    assert text == "docs (https://x.test/a) here\nsecond"


def test_flowed_joins_lines_that_do_not_end_a_sentence():
    assert flowed("My password is\n\nXy7!kq9Lm") == "My password is Xy7!kq9Lm"
    assert flowed("bad password.\nStatus: 0xC000006D") == "bad password.\nStatus: 0xC000006D"


def test_reader_view_finds_what_the_raw_text_hides():
    assert find_secrets("<p>pass&#119;ord: Xy7!kq9Lm</p>", html=True).found
    assert find_secrets("My password is\n\nXy7!kq9Lm").found


def test_emphasis_around_words_is_not_a_value():
    assert not find_secrets("even with **Remember password** ticked the Viewer asks again").found
    assert find_secrets("same password everywhere (**Blue$ky77**)").found


def test_ticket_channel_points_to_the_credentials_form():
    finding = find_secrets("user: administrator password: Winter2026!Acme", channel="ticket")
    assert finding.found and "credentials form" in finding.reason and "policy 8.5" in finding.reason
    assert "Winter2026" not in finding.reason
