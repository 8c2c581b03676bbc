"""Indonesian is the interface language whatever the browser asks for; only the ID/EN switch
(Django's set_language view and its cookie) changes it."""

from __future__ import annotations

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

INDONESIAN, ENGLISH = "Masuk ke Warta", "Sign in to Warta"


def get_login(client, accept_language: str = "en-US,en;q=0.9"):
    response = client.get("/masuk/", HTTP_ACCEPT_LANGUAGE=accept_language)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("accept_language", ["en", "en-US,en;q=0.9", "fr, en;q=0.5", "", "*"])
def test_indonesian_whatever_the_browser_asks_for(client, accept_language):
    response = get_login(client, accept_language)
    body = response.content.decode()
    assert INDONESIAN in body and ENGLISH not in body
    assert 'lang="id"' in body
    assert response["Content-Language"] == "id"


def test_public_site_is_indonesian_for_an_english_browser(client):
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="id"' in body and ">Berita<" in body


def test_the_switch_chooses_english_and_back(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/masuk/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    english = get_login(client, "id")  # the choice wins over the browser, too
    assert ENGLISH in english.content.decode()
    assert english["Content-Language"] == "en"

    client.post("/i18n/setlang/", {"language": "id", "next": "/masuk/"})
    assert INDONESIAN in get_login(client, "en").content.decode()


@pytest.mark.parametrize("cookie", ["fr", "", "en-GB-x-bogus", "<script>"])
def test_an_unknown_language_cookie_falls_back_to_indonesian(client, cookie):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    assert INDONESIAN in get_login(client).content.decode()


def test_responses_vary_on_the_cookie_not_on_accept_language(client):
    vary = {part.strip().lower() for part in get_login(client)["Vary"].split(",")}
    assert "cookie" in vary
    assert "accept-language" not in vary


def test_the_javascript_catalogue_follows_the_choice(client):
    indonesian = client.get("/jsi18n/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Tebal" in indonesian  # the editor's toolbar title "bold"
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/jsi18n/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Tebal" not in english
