"""The working-time calendar: hours, breaks, holidays, special periods; the time zone; WIB.

- :mod:`warta.worktime.zone`: the ``Asia/Jakarta`` zone and the one WIB formatter;
- :mod:`warta.worktime.calendar`: working-time arithmetic (pure logic, no database);
- :mod:`warta.worktime.config`: the calendar as the admin configured it (:func:`get_calendar`);
- :mod:`warta.worktime.models`, :mod:`warta.worktime.admin`: that configuration and its pages.
"""
