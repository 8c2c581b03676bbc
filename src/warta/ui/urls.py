from django.urls import path

from warta.accounts import signin

app_name = "ui"

urlpatterns = [
    path("masuk/", signin.SignInView.as_view(), name="login"),
    path("masuk/kode/", signin.second_factor, name="second_factor"),
    path("masuk/aplikasi-autentikator/", signin.second_factor_setup, name="second_factor_setup"),
    path("keluar/", signin.sign_out, name="logout"),
    path("akun/keamanan/", signin.security, name="security"),
    path("akun/kata-sandi/", signin.password_change, name="password_change"),
    path("akun/kode-pemulihan/", signin.recovery_codes, name="recovery_codes"),
]
