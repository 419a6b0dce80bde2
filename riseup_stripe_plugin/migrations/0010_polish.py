# Promotion codes as typed (orders, invoices); credit note reasons in words; field labels people can read, translated.

import django.db.models.deletion
import opaque_keys.edx.django.models
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('riseup_stripe_plugin', '0007_installation_and_retention'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='stripecustomer',
            options={'verbose_name': 'Stripe customer', 'verbose_name_plural': 'Stripe customers'},
        ),
        migrations.AddField(
            model_name='invoice',
            name='promotion_code',
            field=models.CharField(blank=True, default='', max_length=255, verbose_name='promotion code'),
        ),
        migrations.AddField(
            model_name='order',
            name='promotion_code',
            field=models.CharField(blank=True, default='', max_length=255, verbose_name='promotion code'),
        ),
        migrations.AlterField(
            model_name='audiencerule',
            name='modified',
            field=models.DateTimeField(auto_now=True, verbose_name='modified'),
        ),
        migrations.AlterField(
            model_name='backofficeenrollment',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by'),
        ),
        migrations.AlterField(
            model_name='backofficeenrollment',
            name='course_key',
            field=opaque_keys.edx.django.models.CourseKeyField(db_index=True, max_length=255, verbose_name='course id'),
        ),
        migrations.AlterField(
            model_name='backofficeenrollment',
            name='created',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created'),
        ),
        migrations.AlterField(
            model_name='backofficeenrollment',
            name='learner',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='learner'),
        ),
        migrations.AlterField(
            model_name='backofficeenrollment',
            name='mode',
            field=models.CharField(blank=True, default='', max_length=100, verbose_name='mode'),
        ),
        migrations.AlterField(
            model_name='backofficeenrollment',
            name='path',
            field=models.CharField(choices=[('staff', 'Staff or instructor (dashboard, API, bulk enroll, support)'), ('admin_action', 'Plugin admin: enroll without payment'), ('invitation', 'Invitation by staff, honoured at registration'), ('invitation_enroll', 'Invitation by staff, the learner clicked Enroll'), ('course_team', 'Course staff or instructor enrolling themselves'), ('no_request', 'Management command or task')], max_length=32, verbose_name='path'),
        ),
        migrations.AlterField(
            model_name='backofficeenrollment',
            name='request_path',
            field=models.CharField(blank=True, default='', max_length=500, verbose_name='request path'),
        ),
        migrations.AlterField(
            model_name='courseoffer',
            name='created',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created'),
        ),
        migrations.AlterField(
            model_name='courseoffer',
            name='modified',
            field=models.DateTimeField(auto_now=True, verbose_name='modified'),
        ),
        migrations.AlterField(
            model_name='courseoffer',
            name='price_version',
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name='price version'),
        ),
        migrations.AlterField(
            model_name='courseoffer',
            name='product_name_version',
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name='product name version'),
        ),
        migrations.AlterField(
            model_name='courseoffer',
            name='stripe_price_amount',
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name='Stripe price amount'),
        ),
        migrations.AlterField(
            model_name='courseoffer',
            name='stripe_price_currency',
            field=models.CharField(blank=True, default='', max_length=3, verbose_name='Stripe price currency'),
        ),
        migrations.AlterField(
            model_name='courseoffer',
            name='stripe_price_id',
            field=models.CharField(blank=True, default='', max_length=255, verbose_name='Stripe price id'),
        ),
        migrations.AlterField(
            model_name='courseoffer',
            name='stripe_product_id',
            field=models.CharField(blank=True, default='', max_length=255, verbose_name='Stripe product id'),
        ),
        migrations.AlterField(
            model_name='courseoffer',
            name='stripe_product_name',
            field=models.CharField(blank=True, default='', editable=False, max_length=255, verbose_name='Stripe product name'),
        ),
        migrations.AlterField(
            model_name='creditnote',
            name='amount',
            field=models.BigIntegerField(verbose_name='amount'),
        ),
        migrations.AlterField(
            model_name='creditnote',
            name='created',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created'),
        ),
        migrations.AlterField(
            model_name='creditnote',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by'),
        ),
        migrations.AlterField(
            model_name='creditnote',
            name='currency',
            field=models.CharField(max_length=3, verbose_name='currency'),
        ),
        migrations.AlterField(
            model_name='creditnote',
            name='invoice',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='credit_notes', to='riseup_stripe_plugin.invoice', verbose_name='invoice'),
        ),
        migrations.AlterField(
            model_name='creditnote',
            name='issued_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='issued at'),
        ),
        migrations.AlterField(
            model_name='creditnote',
            name='memo',
            field=models.TextField(blank=True, default='', verbose_name='memo'),
        ),
        migrations.AlterField(
            model_name='creditnote',
            name='number',
            field=models.CharField(blank=True, default='', max_length=255, verbose_name='number'),
        ),
        migrations.AlterField(
            model_name='creditnote',
            name='pdf_url',
            field=models.URLField(blank=True, default='', max_length=2000, verbose_name='PDF'),
        ),
        migrations.AlterField(
            model_name='creditnote',
            name='reason',
            field=models.CharField(blank=True, choices=[('order_change', 'Order change'), ('product_unsatisfactory', 'Course unsatisfactory'), ('duplicate', 'Duplicate purchase'), ('fraudulent', 'Fraudulent purchase')], default='', max_length=64, verbose_name='reason'),
        ),
        migrations.AlterField(
            model_name='creditnote',
            name='refund_id',
            field=models.CharField(blank=True, default='', max_length=255, verbose_name='refund id'),
        ),
        migrations.AlterField(
            model_name='creditnote',
            name='source',
            field=models.CharField(choices=[('admin', 'Cancelled by an administrator'), ('stripe', 'Made in Stripe'), ('refund', 'Issued for a refund made in Stripe')], default='admin', max_length=16, verbose_name='source'),
        ),
        migrations.AlterField(
            model_name='creditnote',
            name='stripe_credit_note_id',
            field=models.CharField(max_length=255, unique=True, verbose_name='Stripe credit note id'),
        ),
        migrations.AlterField(
            model_name='installation',
            name='created',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='amount_paid',
            field=models.BigIntegerField(default=0, verbose_name='amount paid'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='amount_refunded',
            field=models.BigIntegerField(default=0, verbose_name='amount refunded'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='cancellation_reason',
            field=models.TextField(blank=True, default='', verbose_name='cancellation reason'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='cancelled_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='cancelled at'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='cancelled_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='cancelled by'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='course_key',
            field=opaque_keys.edx.django.models.CourseKeyField(db_index=True, max_length=255, verbose_name='course id'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='created',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='currency',
            field=models.CharField(max_length=3, verbose_name='currency'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='customer_email',
            field=models.CharField(blank=True, default='', max_length=254, verbose_name='email on the invoice'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='customer_name',
            field=models.CharField(blank=True, default='', max_length=255, verbose_name='name on the invoice'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='discount',
            field=models.BigIntegerField(default=0, verbose_name='discount'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='hosted_invoice_url',
            field=models.URLField(blank=True, default='', max_length=2000, verbose_name='online invoice'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='invoice_pdf_url',
            field=models.URLField(blank=True, default='', max_length=2000, verbose_name='invoice PDF'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='issued_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='issued at'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='modified',
            field=models.DateTimeField(auto_now=True, verbose_name='modified'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='number',
            field=models.CharField(blank=True, db_index=True, default='', max_length=255, verbose_name='number'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='order',
            field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='invoice', to='riseup_stripe_plugin.order', verbose_name='order'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='paid_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='paid at'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('open', 'Open'), ('paid', 'Paid'), ('partially_refunded', 'Partially refunded'), ('cancelled', 'Cancelled'), ('void', 'Void'), ('uncollectible', 'Uncollectible')], default='open', max_length=32, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='stripe_invoice_id',
            field=models.CharField(max_length=255, unique=True, verbose_name='Stripe invoice id'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='stripe_status',
            field=models.CharField(blank=True, default='', max_length=32, verbose_name='status at Stripe'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='subtotal',
            field=models.BigIntegerField(default=0, verbose_name='subtotal'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='tax',
            field=models.BigIntegerField(default=0, verbose_name='tax'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='total',
            field=models.BigIntegerField(default=0, verbose_name='total tax included'),
        ),
        migrations.AlterField(
            model_name='invoice',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='riseup_stripe_invoices', to=settings.AUTH_USER_MODEL, verbose_name='learner'),
        ),
        migrations.AlterField(
            model_name='learnerscope',
            name='modified',
            field=models.DateTimeField(auto_now=True, verbose_name='modified'),
        ),
        migrations.AlterField(
            model_name='offerchange',
            name='offer',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='changes', to='riseup_stripe_plugin.courseoffer', verbose_name='offer'),
        ),
        migrations.AlterField(
            model_name='order',
            name='access_slot',
            field=models.CharField(blank=True, editable=False, max_length=300, null=True, unique=True, verbose_name='access slot'),
        ),
        migrations.AlterField(
            model_name='order',
            name='amount',
            field=models.PositiveBigIntegerField(verbose_name='amount'),
        ),
        migrations.AlterField(
            model_name='order',
            name='amount_discount',
            field=models.BigIntegerField(blank=True, null=True, verbose_name='discount'),
        ),
        migrations.AlterField(
            model_name='order',
            name='amount_paid',
            field=models.BigIntegerField(blank=True, null=True, verbose_name='amount paid'),
        ),
        migrations.AlterField(
            model_name='order',
            name='cancelled_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='cancelled at'),
        ),
        migrations.AlterField(
            model_name='order',
            name='checkout_expires_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='Checkout expires at'),
        ),
        migrations.AlterField(
            model_name='order',
            name='checkout_session_id',
            field=models.CharField(blank=True, max_length=255, null=True, unique=True, verbose_name='Checkout Session id'),
        ),
        migrations.AlterField(
            model_name='order',
            name='checkout_url',
            field=models.TextField(blank=True, default='', verbose_name='Checkout address'),
        ),
        migrations.AlterField(
            model_name='order',
            name='course_key',
            field=opaque_keys.edx.django.models.CourseKeyField(db_index=True, max_length=255, verbose_name='course id'),
        ),
        migrations.AlterField(
            model_name='order',
            name='created',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created'),
        ),
        migrations.AlterField(
            model_name='order',
            name='currency',
            field=models.CharField(max_length=3, verbose_name='currency'),
        ),
        migrations.AlterField(
            model_name='order',
            name='dispute_id',
            field=models.CharField(blank=True, default='', max_length=255, verbose_name='dispute id'),
        ),
        migrations.AlterField(
            model_name='order',
            name='dispute_status',
            field=models.CharField(blank=True, default='', max_length=64, verbose_name='dispute status'),
        ),
        migrations.AlterField(
            model_name='order',
            name='enrollment_mode',
            field=models.CharField(blank=True, default='', max_length=100, verbose_name='enrollment mode'),
        ),
        migrations.AlterField(
            model_name='order',
            name='flag_reason',
            field=models.TextField(blank=True, default='', verbose_name='flag reason'),
        ),
        migrations.AlterField(
            model_name='order',
            name='fulfilled_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='fulfilled at'),
        ),
        migrations.AlterField(
            model_name='order',
            name='last_error',
            field=models.TextField(blank=True, default='', verbose_name='last error'),
        ),
        migrations.AlterField(
            model_name='order',
            name='modified',
            field=models.DateTimeField(auto_now=True, verbose_name='modified'),
        ),
        migrations.AlterField(
            model_name='order',
            name='offer',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='orders', to='riseup_stripe_plugin.courseoffer', verbose_name='offer'),
        ),
        migrations.AlterField(
            model_name='order',
            name='open_slot',
            field=models.CharField(blank=True, editable=False, max_length=300, null=True, unique=True, verbose_name='open purchase slot'),
        ),
        migrations.AlterField(
            model_name='order',
            name='paid_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='paid at'),
        ),
        migrations.AlterField(
            model_name='order',
            name='payment_intent_id',
            field=models.CharField(blank=True, db_index=True, default='', max_length=255, verbose_name='PaymentIntent id'),
        ),
        migrations.AlterField(
            model_name='order',
            name='promotion_code_id',
            field=models.CharField(blank=True, default='', max_length=255, verbose_name='promotion code (Stripe id)'),
        ),
        migrations.AlterField(
            model_name='order',
            name='state',
            field=models.CharField(choices=[('created', 'Created'), ('awaiting_payment', 'Awaiting payment'), ('payment_pending', 'Payment pending'), ('paid', 'Paid'), ('fulfilled', 'Fulfilled'), ('flagged', 'Needs review'), ('expired', 'Expired'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], default='created', max_length=32, verbose_name='state'),
        ),
        migrations.AlterField(
            model_name='order',
            name='stripe_customer_id',
            field=models.CharField(blank=True, default='', max_length=255, verbose_name='Stripe customer id'),
        ),
        migrations.AlterField(
            model_name='order',
            name='stripe_invoice_id',
            field=models.CharField(blank=True, db_index=True, default='', max_length=255, verbose_name='Stripe invoice id'),
        ),
        migrations.AlterField(
            model_name='order',
            name='stripe_price_id',
            field=models.CharField(max_length=255, verbose_name='Stripe price id'),
        ),
        migrations.AlterField(
            model_name='order',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='riseup_stripe_orders', to=settings.AUTH_USER_MODEL, verbose_name='learner'),
        ),
        migrations.AlterField(
            model_name='order',
            name='uuid',
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='UUID'),
        ),
        migrations.AlterField(
            model_name='paymentconfiguration',
            name='modified',
            field=models.DateTimeField(auto_now=True, verbose_name='modified'),
        ),
        migrations.AlterField(
            model_name='paymentconfiguration',
            name='modified_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='modified by'),
        ),
        migrations.AlterField(
            model_name='paymentconfiguration',
            name='secret_key_encrypted',
            field=models.TextField(blank=True, default='', editable=False, verbose_name='secret key (encrypted)'),
        ),
        migrations.AlterField(
            model_name='paymentconfiguration',
            name='webhook_secret_encrypted',
            field=models.TextField(blank=True, default='', editable=False, verbose_name='webhook signing secret (encrypted)'),
        ),
        migrations.AlterField(
            model_name='stripecustomer',
            name='created',
            field=models.DateTimeField(auto_now_add=True, verbose_name='created'),
        ),
        migrations.AlterField(
            model_name='stripecustomer',
            name='customer_id',
            field=models.CharField(max_length=255, unique=True, verbose_name='Stripe customer id'),
        ),
        migrations.AlterField(
            model_name='stripecustomer',
            name='livemode',
            field=models.BooleanField(default=False, verbose_name='live mode'),
        ),
        migrations.AlterField(
            model_name='stripecustomer',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='learner'),
        ),
        migrations.AlterField(
            model_name='stripeevent',
            name='api_version',
            field=models.CharField(blank=True, default='', max_length=64, verbose_name='API version'),
        ),
        migrations.AlterField(
            model_name='stripeevent',
            name='attempts',
            field=models.PositiveIntegerField(default=0, verbose_name='attempts'),
        ),
        migrations.AlterField(
            model_name='stripeevent',
            name='body_erased_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='body erased at'),
        ),
        migrations.AlterField(
            model_name='stripeevent',
            name='error',
            field=models.TextField(blank=True, default='', verbose_name='error'),
        ),
        migrations.AlterField(
            model_name='stripeevent',
            name='event_id',
            field=models.CharField(max_length=255, unique=True, verbose_name='event id'),
        ),
        migrations.AlterField(
            model_name='stripeevent',
            name='ignored',
            field=models.BooleanField(default=False, verbose_name='ignored'),
        ),
        migrations.AlterField(
            model_name='stripeevent',
            name='livemode',
            field=models.BooleanField(default=False, verbose_name='live mode'),
        ),
        migrations.AlterField(
            model_name='stripeevent',
            name='object_id',
            field=models.CharField(blank=True, db_index=True, default='', max_length=255, verbose_name='object id'),
        ),
        migrations.AlterField(
            model_name='stripeevent',
            name='outcome',
            field=models.CharField(blank=True, default='', max_length=255, verbose_name='outcome'),
        ),
        migrations.AlterField(
            model_name='stripeevent',
            name='processed',
            field=models.BooleanField(default=False, verbose_name='processed'),
        ),
        migrations.AlterField(
            model_name='stripeevent',
            name='processed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='processed at'),
        ),
        migrations.AlterField(
            model_name='stripeevent',
            name='raw_body',
            field=models.TextField(verbose_name='raw body'),
        ),
        migrations.AlterField(
            model_name='stripeevent',
            name='received_at',
            field=models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='received at'),
        ),
        migrations.AlterField(
            model_name='stripeevent',
            name='type',
            field=models.CharField(db_index=True, max_length=255, verbose_name='type'),
        ),
        migrations.AlterField(
            model_name='stripeevent',
            name='verified',
            field=models.BooleanField(default=False, verbose_name='verified'),
        ),
        migrations.AlterField(
            model_name='stripeevent',
            name='warning',
            field=models.CharField(blank=True, default='', max_length=255, verbose_name='warning'),
        ),
    ]
