from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('riseup_stripe_plugin', '0003_audience_scopes'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='invoice',
            options={'ordering': ['-issued_at', '-created'], 'permissions': [('cancel_invoice', 'Can cancel an invoice (credit note and refund)')], 'verbose_name': 'invoice', 'verbose_name_plural': 'invoices'},
        ),
    ]
